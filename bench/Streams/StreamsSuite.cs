using System.Diagnostics;
using FlowActors.Bench.Harness;
using FlowActors.Streaming;

namespace FlowActors.Bench.Streams;

/// <summary>
/// One Orleans stream hop (producer grain → implicitly subscribed consumer grain, one message in flight) and the
/// idle CPU of a silo, for memory streams and fast streams.
/// </summary>
internal sealed class StreamsSuite : IBenchSuite
{
    private const string Provider = "bench";
    private const int IdleStreams = 10;
    private static readonly TimeSpan IdleSettle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(10);

    private sealed record Subject(string Name, Action<ISiloBuilder> Configure);

    private static readonly Subject MemoryDefault = new("memory streams, default period (100 ms)", silo => silo.AddMemoryStreams(Provider));
    private static readonly Subject Memory10 = new("memory streams, 10 ms period", silo => silo.AddMemoryStreams(Provider, s =>
        s.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(10)))));
    private static readonly Subject Fast = new("fast streams (defaults)", silo => silo.AddFastStreams(Provider));
    private static readonly Subject NoStreams = new("no stream provider", _ => { });

    public string Name => "streams";

    public string Description => "stream hop latency and idle CPU: memory streams vs fast streams";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        return
        [
            await HopAsync(MemoryDefault, warmUp: 5, samples: 50, gap: TimeSpan.Zero, cancellationToken),
            await HopAsync(Memory10, warmUp: 20, samples: 300, gap: TimeSpan.Zero, cancellationToken),
            await HopAsync(Fast, warmUp: 2_000, samples: 10_000, gap: TimeSpan.Zero, cancellationToken),
            await HopAsync(Fast with { Name = $"{Fast.Name}, sparse (5 ms apart)" }, warmUp: 50, samples: 500, gap: TimeSpan.FromMilliseconds(5), cancellationToken),
            await IdleCpuAsync(NoStreams, cancellationToken),
            await IdleCpuAsync(Memory10, cancellationToken),
            await IdleCpuAsync(Fast, cancellationToken),
        ];
    }

    private async Task<BenchResult> HopAsync(Subject subject, int warmUp, int samples, TimeSpan gap, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"hop: {subject.Name} ...");
        await using var silo = await BenchSilo.StartAsync(subject.Configure, cancellationToken);
        var producer = silo.Client.GetGrain<IHopProducerGrain>($"hop-{Guid.NewGuid():N}");
        var latencies = new List<double>(samples);
        for (var i = 0; i < warmUp + samples; i++)
        {
            var arrival = HopProbe.Expect();
            await producer.PublishAsync(Provider);
            var elapsed = await arrival.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            if (i >= warmUp)
            {
                latencies.Add(elapsed.TotalMilliseconds);
            }

            if (gap > TimeSpan.Zero)
            {
                await Task.Delay(gap, cancellationToken);
            }
        }

        return BenchResult.Distribution(Name, $"hop, {subject.Name}", "ms", latencies);
    }

    private async Task<BenchResult> IdleCpuAsync(Subject subject, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"idle CPU: {subject.Name} ...");
        await using var silo = await BenchSilo.StartAsync(subject.Configure, cancellationToken);
        if (subject != NoStreams)
        {
            // Ten streams with an active consumer each, as ten idle real-time steps would have.
            for (var i = 0; i < IdleStreams; i++)
            {
                var arrival = HopProbe.Expect();
                await silo.Client.GetGrain<IHopProducerGrain>($"idle-{i}-{Guid.NewGuid():N}").PublishAsync(Provider);
                await arrival.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }
        }

        await Task.Delay(IdleSettle, cancellationToken);
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await Task.Delay(IdleWindow, cancellationToken);
        process.Refresh();
        var busy = (process.TotalProcessorTime - cpuBefore) / wall.Elapsed * 100;

        var streams = subject == NoStreams ? "" : $", {IdleStreams} idle streams";
        return BenchResult.Single(Name, $"idle CPU, {subject.Name}{streams}", "% of one core", busy);
    }
}
