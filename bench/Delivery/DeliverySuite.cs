using System.Diagnostics;
using System.Globalization;
using FlowActors.Bench.Flows;
using FlowActors.Bench.Harness;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Steps;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Delivery;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace FlowActors.Bench.Delivery;

/// <summary>
/// The long forms of the delivery chaos tests (Tests/Flows/DeliveryChaosTests, StalledStepTests), with the counts the
/// issue asks for, and the cost of de-duplication per message. <c>--scale 0.01</c> shrinks every message count (a smoke
/// run); a real run takes about half an hour, most of it the 2,000 messages at 300 ms.
/// </summary>
internal sealed class DeliverySuite : IBenchSuite
{
    private const string SuiteName = "delivery";

    // The retries of the long forms: the shipped policy's shape (doubling with jitter), on a clock that outlasts a
    // container replacement without making a run last hours.
    private static readonly DeliveryPolicy Retries = new(MaxAttempts: 8, FirstRetryDelay: TimeSpan.FromMilliseconds(200), MaxRetryDelay: TimeSpan.FromSeconds(5));

    public string Name => SuiteName;

    public string Description => "delivery chaos (slow + stalled, processes killed, transient + poison), de-duplication cost; --scale 0.01 to smoke";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        var scale = Scale();
        var results = new List<BenchResult>();
        results.AddRange(DeduplicationCost());

        // Orleans' shipped grain-call timeout (30 s); the stall outlasts it.
        var responseTimeout = TimeSpan.FromSeconds(30);
        var scenarios = new (string Name, FlowMode Mode, ChaosPlan Plan)[]
        {
            ("slow 300 ms, stalled > grain-call timeout", FlowMode.Realtime,
                new ChaosPlan(Scaled(2000, scale), TimeSpan.FromMilliseconds(300), StallAfter: TimeSpan.FromSeconds(5), StallFor: responseTimeout * 1.3)),
            ("processes killed every 3 s, real-time", FlowMode.Realtime,
                new ChaosPlan(Scaled(5000, scale), TimeSpan.FromMilliseconds(2), KillEvery: TimeSpan.FromSeconds(3))),
            ("processes killed every 3 s, ordinary", FlowMode.Ordinary,
                new ChaosPlan(Scaled(5000, scale), TimeSpan.FromMilliseconds(2), KillEvery: TimeSpan.FromSeconds(3))),
            ("30 % transient, 1 % poison, real-time", FlowMode.Realtime,
                new ChaosPlan(Scaled(2000, scale), TimeSpan.FromMilliseconds(2), TransientEvery: 3, TransientTries: 1, PoisonEvery: 100)),
        };

        var duplicates = new DuplicateLog();
        await using var silo = await FlowSilo.StartAsync(
            ContainerRuntimeKind.Process, TimeSpan.FromSeconds(10), cancellationToken,
            steps: o => o.InboxCapacity = 256,
            configure: s => s.Services.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = responseTimeout),
            duplicates: duplicates);
        await silo.Client.GetGrain<IComponentGrain>("counting").DeployAsync(SampleDeployments.Counting());
        foreach (var (name, mode, plan) in scenarios)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = await RunScenarioAsync(silo, mode, plan, duplicates);
            Console.WriteLine($"delivery: {name}: {count}");
            results.Add(BenchResult.Single(SuiteName, $"{name}: lost", "messages", count.Lost));
            results.Add(BenchResult.Single(SuiteName, $"{name}: dead-lettered", "messages", count.DeadLettered));
            results.Add(BenchResult.Single(SuiteName, $"{name}: duplicates dropped", "messages", count.DuplicatesDropped));
            results.Add(BenchResult.Single(SuiteName, $"{name}: effects twice", "messages", count.DoubleEffects + count.DuplicateOutputs));
            results.Add(BenchResult.Single(SuiteName, $"{name}: throughput", "msg/s", count.Completed / count.Elapsed.TotalSeconds));
        }

        return results;
    }

    private static async Task<ChaosCount> RunScenarioAsync(FlowSilo silo, FlowMode mode, ChaosPlan plan, DuplicateLog duplicates)
    {
        var ledger = DeliveryChaos.NewLedger();
        try
        {
            var flowId = await silo.CreateFlowAsync(DeliveryChaos.Flow(ledger, plan.MessageTime, Retries), mode);
            await using var events = await Client.Events.FlowEventSubscription.SubscribeAsync(silo.Client, flowId, (plan.Messages * 2) + 100);
            await silo.Flow(flowId).StartAsync();
            if (mode == FlowMode.Realtime)
            {
                await silo.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(50));
            }

            var count = await DeliveryChaos.RunAsync(silo.Flow(flowId), events.ReadAllAsync, ledger, plan, () => duplicates.Count, TimeSpan.FromMinutes(2), Console.WriteLine);
            await silo.Flow(flowId).StopAsync();
            return count;
        }
        finally
        {
            Directory.Delete(ledger, recursive: true);
        }
    }

    /// <summary>
    /// What de-duplication adds to each message at a step: deriving its outputs' ids (SHA-256) and checking, taking and
    /// completing its id in a full window of 10,000. Compare with the hop latency of <c>bench -- flows</c>.
    /// </summary>
    private static IEnumerable<BenchResult> DeduplicationCost()
    {
        const int Window = 10_000;
        const int PerSample = 10_000;
        var window = new StepDeduplication(Window);
        var input = FlowMessage.Create("{}");
        var ids = Enumerable.Range(0, Window * 2).Select(i => FlowMessage.DeriveId(input.Id, "step", i)).ToArray();
        foreach (var id in ids.AsSpan(0, Window))
        {
            window.Complete(id);
        }

        var samples = new List<double>();
        var next = Window;
        for (var sample = 0; sample < 50; sample++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < PerSample; i++)
            {
                var id = FlowMessage.DeriveId(ids[next % ids.Length], "step", 0);
                if (window.TryBegin(id))
                {
                    window.Complete(id);
                }

                next++;
            }

            samples.Add(clock.Elapsed.TotalNanoseconds / PerSample);
        }

        yield return BenchResult.Distribution(SuiteName, "de-duplication per message (derive id + window of 10,000)", "ns", samples);
    }

    private static double Scale()
    {
        var args = Environment.GetCommandLineArgs();
        var index = Array.IndexOf(args, "--scale");
        return index >= 0 && index + 1 < args.Length && double.TryParse(args[index + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) && scale > 0
            ? scale
            : 1;
    }

    private static int Scaled(int messages, double scale) => Math.Max(10, (int)(messages * scale));
}
