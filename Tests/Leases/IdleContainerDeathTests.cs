using System.Diagnostics;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Flows;
using FlowActors.Tests.Infrastructure;

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

        var replacement = await WaitForReplacementAsync(flow, "lookup", victim, TimeSpan.FromSeconds(20));

        Assert.IsFalse(ContainerProcesses.IsAlive(victimPid));
        Assert.IsTrue(ContainerProcesses.IsAlive(ContainerProcesses.Pid(replacement)));
        var execution = await flow.SendAsync(FlowMessage.Create("""{"name":"after"}"""));
        var output = (await running.Events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        Assert.AreEqual(replacement, (await flow.GetStatusAsync()).Steps.Single(s => s.StepId == "lookup").ContainerId, "the message needed another replacement");
        await flow.StopAsync();
    }

    /// <summary>Waits (bounded, no message sent) until the step holds another container, ready, in a running flow.</summary>
    internal static async Task<string> WaitForReplacementAsync(IFlowGrain flow, string stepId, string victim, TimeSpan timeout)
    {
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
                Assert.Fail($"{timeout.TotalSeconds:0} s after its container {victim} was killed, step {stepId} shows {step} (flow {status.Lifecycle}).");
            }

            await Task.Delay(50);
        }
    }
}
