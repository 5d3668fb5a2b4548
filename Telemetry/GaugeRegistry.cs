using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace FlowActors.Telemetry;

/// <summary>
/// What an observable gauge reports: a set of live things (inboxes, queues), each read when metrics are collected.
/// Costs nothing per message; a registration lives as long as the thing it reads.
/// </summary>
internal sealed class GaugeRegistry
{
    private readonly ConcurrentDictionary<Registration, byte> _live = new();

    public IDisposable Add(KeyValuePair<string, object?>[] tags, Func<int> read)
    {
        var registration = new Registration(this, tags, read);
        _live.TryAdd(registration, 0);
        return registration;
    }

    public IEnumerable<Measurement<int>> Observe()
    {
        foreach (var registration in _live.Keys)
        {
            yield return new Measurement<int>(registration.Read(), registration.Tags);
        }
    }

    private sealed class Registration(GaugeRegistry registry, KeyValuePair<string, object?>[] tags, Func<int> read) : IDisposable
    {
        public KeyValuePair<string, object?>[] Tags => tags;

        public int Read() => read();

        public void Dispose() => registry._live.TryRemove(this, out _);
    }
}
