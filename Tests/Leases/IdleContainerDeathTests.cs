using System.Diagnostics;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Processes;
using FlowActors.Tests.Flows;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlowActors.Tests.Leases;

/// <summary>
/// A real-time step whose component process is killed while its flow is idle replaces it at once (the local-process
/// runtime reports the death, as Docker's event stream does), not when the next message fails on it.
/// </summary>
[TestClass]
public sealed class IdleContainerDeathTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [TestMethod]
    public async Task KilledIdleRealtimeProcess_IsReplacedBeforeAnyMessage_AndTheStatusShowsIt()
    {
        await using var cluster = await FlowCluster.StartAsync();
        await cluster.DeployAsync("transform", SampleDeployments.Transform());
        await cluster.DeployAsync("delay", SampleDeployments.Delay());
        await cluster.DeployAsync("echo", SampleDeployments.Echo());
        await using var running = await cluster.StartRealtimeFlowAsync(SampleFlows.ThreeSteps(), Wait);
        var flow = cluster.Flow(running.FlowId);
        var victim = (await flow.GetStatusAsync()).Steps.Single(s => s.StepId == "lookup").ContainerId!;
        var victimPid = ContainerProcesses.Pid(victim);

        using (var process = Process.GetProcessById(victimPid))
        {
            process.Kill(); // SIGKILL, as kill -9
        }

        var replacement = await WaitForReplacementAsync(cluster, running.FlowId, "lookup", victim, TimeSpan.FromSeconds(20));
        Assert.IsNotEmpty(cluster.Logs.Find($"Flow {running.FlowId} step lookup: container {victim} died"), "replaced on the runtime's death report, not by a later check");

        Assert.IsFalse(ContainerProcesses.IsAlive(victimPid));
        Assert.IsTrue(ContainerProcesses.IsAlive(ContainerProcesses.Pid(replacement)));
        var execution = await flow.SendAsync(FlowMessage.Create("""{"name":"after"}"""));
        var output = (await running.Events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        Assert.AreEqual(replacement, (await flow.GetStatusAsync()).Steps.Single(s => s.StepId == "lookup").ContainerId, "the message needed another replacement");
        await flow.StopAsync();
    }

    [TestMethod]
    public async Task KilledIdleRealtimeProcess_WhoseDeathIsNotReported_IsReplacedAtTheNextLeaseTick_LongBeforeTheReminder()
    {
        // No death events (as while Docker's event stream reconnects); the flow's reminder keeps its shipped minute.
        var lease = TimeSpan.FromSeconds(4); // a tick every second
        await using var cluster = await FlowCluster.StartAsync(
            configure: silo => silo.Services.AddSingleton<IContainerDeathNotifier>(new NoDeathEvents()),
            steps: o => o.LeaseDuration = lease);
        await cluster.DeployAsync("transform", SampleDeployments.Transform());
        await cluster.DeployAsync("delay", SampleDeployments.Delay());
        await cluster.DeployAsync("echo", SampleDeployments.Echo());
        await using var running = await cluster.StartRealtimeFlowAsync(SampleFlows.ThreeSteps(), Wait);
        var victim = (await cluster.Flow(running.FlowId).GetStatusAsync()).Steps.Single(s => s.StepId == "lookup").ContainerId!;

        using (var process = Process.GetProcessById(ContainerProcesses.Pid(victim)))
        {
            process.Kill();
        }

        await WaitForReplacementAsync(cluster, running.FlowId, "lookup", victim, TimeSpan.FromSeconds(20));
        Assert.IsNotEmpty(cluster.Logs.Find($"Flow {running.FlowId} step lookup: container {victim} is gone (found by the lease tick"));
        await cluster.Flow(running.FlowId).StopAsync();
    }

    /// <summary>Waits (bounded, no message sent) until the step holds another container, ready, in a running flow.</summary>
    internal static async Task<string> WaitForReplacementAsync(FlowCluster cluster, string flowId, string stepId, string victim, TimeSpan timeout)
    {
        var flow = cluster.Flow(flowId);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await flow.GetStatusAsync();
            var step = status.Steps.Single(s => s.StepId == stepId);
            if (status.Lifecycle == FlowLifecycle.Running && step.Phase == StepPhase.Ready && step.ContainerId is { } id && id != victim)
            {
                return id;
            }

            if (clock.Elapsed > timeout)
            {
                // What the step itself says and logged tells a lost death event from a lost report to the flow.
                var own = await cluster.Client.GetGrain<IStepGrain>(FlowStreams.StepKey(flowId, stepId)).GetStatusAsync();
                var logged = cluster.Logs.Entries.Where(e => e.Message.Contains(victim, StringComparison.Ordinal) || e.Message.Contains($"{flowId} step {stepId}", StringComparison.Ordinal));
                Assert.Fail($"{timeout.TotalSeconds:0} s after its container {victim} was killed, step {stepId} shows {step} (flow {status.Lifecycle}); " +
                            $"the step grain says {own}. Its log:\n{string.Join("\n", logged.Select(e => $"{e.Level} {e.EventId} {e.Message}"))}");
            }

            await Task.Delay(50);
        }
    }
}
