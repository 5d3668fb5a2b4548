using System.Collections.Concurrent;

namespace FlowActors.Tests.Streaming;

/// <summary>
/// Where probe grains report what they received, so a test awaits delivery instead of sleeping. Static is enough:
/// the silos of an in-process test cluster share the test's process. Keys are unique per test.
/// </summary>
internal static class ProbeSink
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly ConcurrentDictionary<string, Probe> Probes = new();

    /// <summary>Starts listening for <paramref name="count"/> items on the stream keyed <paramref name="key"/>.</summary>
    public static Probe Expect(string key, int count) => Probes[key] = new Probe(count);

    public static void Record(string key, int item)
    {
        if (Probes.TryGetValue(key, out var probe))
        {
            probe.Add(item);
        }
    }

    internal sealed class Probe(int expected)
    {
        private readonly List<int> _items = [];
        private readonly TaskCompletionSource<IReadOnlyList<int>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The items in arrival order once <c>expected</c> have arrived; fails after a generous bound rather than hanging.</summary>
        public Task<IReadOnlyList<int>> Received => _done.Task.WaitAsync(Patience);

        public void Add(int item)
        {
            lock (_items)
            {
                _items.Add(item);
                if (_items.Count == expected)
                {
                    _done.TrySetResult([.. _items]);
                }
            }
        }
    }
}
