using System.Diagnostics;
using Azure.Storage.Queues;
using FlowActors.Bench.Harness;
using FlowActors.Client.Hosting;
using FlowActors.Silo.Hosting.Azure;
using FlowActors.Streaming;
using FlowActors.TestSupport.Silos;

namespace FlowActors.Bench.Streams;

/// <summary>
/// One Orleans stream hop (producer grain → implicitly subscribed consumer grain, one message in flight) and the
/// idle CPU of a silo, for memory streams and fast streams; and the hop of an ordinary flow in the Azure profile, over
/// its durable provider (Azure Queue streams) on Azurite, when scripts/ensure-azurite.sh can start it.
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

    public string Description => "stream hop latency and idle CPU: memory streams vs fast streams vs Azure Queue streams on Azurite";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        List<BenchResult> rows =
        [
            await HopAsync(MemoryDefault, warmUp: 5, samples: 50, gap: TimeSpan.Zero, cancellationToken),
            await HopAsync(Memory10, warmUp: 20, samples: 300, gap: TimeSpan.Zero, cancellationToken),
            await HopAsync(Fast, warmUp: 2_000, samples: 10_000, gap: TimeSpan.Zero, cancellationToken),
            await HopAsync(Fast with { Name = $"{Fast.Name}, sparse (5 ms apart)" }, warmUp: 50, samples: 500, gap: TimeSpan.FromMilliseconds(5), cancellationToken),
        ];
        if (await DurableAsync() is { } durable)
        {
            rows.Add(await HopAsync(durable, warmUp: 10, samples: 200, gap: TimeSpan.Zero, cancellationToken));
        }

        rows.Add(await IdleCpuAsync(NoStreams, cancellationToken));
        rows.Add(await IdleCpuAsync(Memory10, cancellationToken));
        rows.Add(await IdleCpuAsync(Fast, cancellationToken));
        return rows;
    }

    /// <summary>
    /// The Azure profile's durable provider, configured as the profile does (<see cref="AzureProfile.AddDurableStreams"/>),
    /// on queues of a prefix of this run's own; null (the row skipped, saying why) when Azurite cannot be started.
    /// </summary>
    private static async Task<Subject?> DurableAsync()
    {
        try
        {
            var connectionString = await Azurite.EnsureAsync();
            var queues = new AzureResourceNames(Azurite.NewPrefix()).StreamQueues(8);
            return new("Azure Queue streams on Azurite (the Azure profile's ordinary hops)", silo =>
                silo.AddDurableStreams(Provider, new QueueServiceClient(connectionString), queues));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"streams: Azure Queue row skipped: Azurite could not be started ({e.Message})");
            return null;
        }
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
