using System.Diagnostics;
using FlowActors.Bench.Harness;
using FlowActors.Client;
using FlowActors.Containers;

namespace FlowActors.Bench.Flows;

/// <summary>
/// CPU of an idle silo that runs real-time 3-step echo flows (local processes): the silo process's CPU time over a
/// 10 s window / wall time. The component processes are children of the silo and are not counted in it; their
/// own idle CPU is a separate row.
/// </summary>
internal static class IdleCpu
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public static async Task<IReadOnlyList<BenchResult>> RunAsync(int flows, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"flows: idle CPU, {flows} real-time flows ...");
        await using var silo = await FlowSilo.StartAsync(ContainerRuntimeKind.Process, TimeSpan.FromSeconds(10), cancellationToken);
        var flowIds = await Task.WhenAll(Enumerable.Range(0, flows).Select(_ => FlowsSuite.StartRealtimeAsync(silo)));

        // One message through each flow, so every step stream and the event stream has been used, as in a live flow.
        foreach (var flowId in flowIds)
        {
            await using var events = await silo.SubscribeAsync(flowId);
            await using var reader = events.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            await FlowsSuite.NextOutputAsync(reader, await silo.Flow(flowId).SendAsync(FlowMessage.Create("""{"text":"wake"}""")));
        }

        await Task.Delay(Settle, cancellationToken);
        var before = ProcessCpu.Now();
        var wall = Stopwatch.StartNew();
        await Task.Delay(Window, cancellationToken);
        var cpu = ProcessCpu.Now() - before;
        var elapsed = wall.Elapsed;

        await Task.WhenAll(flowIds.Select(id => FlowsSuite.StopAsync(silo, id)));
        var name = $"idle CPU, {flows} running real-time 3-step flows ({flows * 3} component processes)";
        return
        [
            BenchResult.Single(FlowsSuite.SuiteName, $"{name}: silo process only", "% of one core", cpu.Silo / elapsed * 100),
            BenchResult.Single(FlowsSuite.SuiteName, $"{name}: the component processes together (not the silo's)", "% of one core", cpu.Children / elapsed * 100),
        ];
    }
}
