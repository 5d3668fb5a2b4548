using System.Diagnostics;
using FlowActors.Bench.Harness;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Silo.Samples;

namespace FlowActors.Bench.Flows;

/// <summary>
/// Steps that wait on another system, as integration steps do: a real-time flow echo → delay (the sample that stands for
/// an outside API) → echo, with the middle step one message at a time (<c>keepOrder</c>) and with <c>concurrency</c>.
/// Messages per second from the first send to the last output, at most a window unanswered, and what was lost.
/// </summary>
internal sealed class ParallelSuite : IBenchSuite
{
    public const string SuiteName = "parallel";
    private const string Delay = "delay";
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);

    public string Name => SuiteName;

    public string Description => "real-time flows whose middle step waits 20 ms / 200 ms: one at a time vs concurrency";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        await using var silo = await FlowSilo.StartAsync(ContainerRuntimeKind.Process, TimeSpan.FromSeconds(1), cancellationToken);
        await silo.Client.GetGrain<IComponentGrain>(Delay).DeployAsync(SampleDeployments.Delay());
        return
        [
            await RunAsync(silo, waitMs: 20, concurrency: null, messages: 300, cancellationToken),
            await RunAsync(silo, waitMs: 20, concurrency: 32, messages: 10_000, cancellationToken),
            await RunAsync(silo, waitMs: 200, concurrency: null, messages: 30, cancellationToken),
            await RunAsync(silo, waitMs: 200, concurrency: 32, messages: 2_000, cancellationToken),
        ];
    }

    /// <param name="concurrency">The middle step's; null: <c>keepOrder</c> (one at a time).</param>
    private static async Task<BenchResult> RunAsync(FlowSilo silo, int waitMs, int? concurrency, int messages, CancellationToken cancellationToken)
    {
        const int Window = 512; // under the flow's backlog limit (FlowActors:Flows:MaxInFlight, 1,000): no 429s
        var how = concurrency is { } c ? $"concurrency {c}" : "keepOrder (one at a time)";
        Console.Error.WriteLine($"parallel: middle step waits {waitMs} ms, {how}, {messages:N0} messages ...");
        var definition = FlowDefinition.Chain(
            "waiting step",
            new StepDefinition("first", FlowSilo.Echo, "echo"),
            new StepDefinition("wait", Delay, "delay", $$"""{"ms":{{waitMs}}}""", Concurrency: concurrency, KeepOrder: concurrency is null ? true : null),
            new StepDefinition("last", FlowSilo.Echo, "echo"));
        var flowId = await silo.CreateFlowAsync(definition, FlowMode.Realtime);
        await silo.Flow(flowId).StartAsync();
        await silo.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait, TimeSpan.FromMilliseconds(10));
        await using var events = await silo.SubscribeAsync(flowId);
        var flow = silo.Flow(flowId);

        // One message through first: the components' first calls (JIT) are not what this measures.
        await using (var warm = events.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken))
        {
            await FlowsSuite.NextOutputAsync(warm, await flow.SendAsync(FlowMessage.Create("""{"warm":true}""")));
        }

        using var window = new SemaphoreSlim(Window, Window);
        var outputs = new HashSet<string>(StringComparer.Ordinal);
        var errors = 0;
        var received = Task.Run(async () =>
        {
            await foreach (var e in events.ReadAllAsync(cancellationToken))
            {
                if (e.Kind != FlowEventKind.Output)
                {
                    errors++;
                }
                else
                {
                    outputs.Add(e.ExecutionId);
                }

                window.Release();
                if (outputs.Count + errors == messages)
                {
                    return;
                }
            }
        }, cancellationToken);

        var clock = Stopwatch.StartNew();
        var sends = new List<Task<string>>(messages);
        for (var i = 0; i < messages; i++)
        {
            await window.WaitAsync(cancellationToken);
            sends.Add(flow.SendAsync(FlowMessage.Create($$"""{"n":{{i}}}""")));
        }

        var sent = await Task.WhenAll(sends);
        await received.WaitAsync(Wait, cancellationToken);
        var wall = clock.Elapsed;
        await FlowsSuite.StopAsync(silo, flowId);
        var lost = sent.Count(id => !outputs.Contains(id));
        Console.Error.WriteLine($"parallel: {messages / wall.TotalSeconds:0} msg/s; {lost} lost, {errors} error events");
        return BenchResult.Single(SuiteName,
            $"real-time 3-step flow, middle step waits {waitMs} ms, {how}: throughput ({messages:N0} messages, ≤ {Window} in flight; {lost} lost)",
            "messages/s", messages / wall.TotalSeconds);
    }
}
