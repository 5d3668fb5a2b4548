using System.Diagnostics;
using FlowActors.Client;
using FlowActors.Containers.Leases;
using FlowActors.Containers;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace FlowActors.Tests.Hosting;

/// <summary>
/// The wake-up after a silo's death cannot be missed: the surviving silo wakes every running flow, and asks again when
/// a wake-up fails (a call routed to the dead silo before every silo saw its death), so a real-time flow whose steps died
/// runs again within seconds rather than at its reconciliation reminder, a minute later.
/// </summary>
[TestClass]
public sealed class FlowWakeUpTests
{
    private static readonly TimeSpan BackWithin = TimeSpan.FromSeconds(15);

    [TestMethod]
    public async Task SiloKilled_ItsStepsRunAgainOnTheSurvivorWithin15s_EvenWhenTheFirstWakeUpsFail()
    {
        var faults = new CallFaults();
        // No TLS: the in-memory test transport cannot abort a TLS connection to a killed silo (see FlowCluster.StartAsync).
        // The reminder keeps its production period (1 minute): only the wake-up can bring the flow back within 15 s.
        await using var cluster = await FlowCluster.StartAsync(silos: 2, tls: false, configure: silo =>
        {
            silo.AddIncomingGrainCallFilter(faults);
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        });
        await cluster.DeployAsync("transform", SampleDeployments.Transform());
        await cluster.DeployAsync("echo", SampleDeployments.Echo());
        var survivor = cluster.Cluster.Silos[0]; // the test cluster's client talks through it
        var victim = cluster.Cluster.Silos[1];

        // The flow grain on the survivor, its steps on the victim: nothing but a wake-up tells the flow they died.
        var flowId = await Placement.OnAsync(survivor, () => cluster.CreateFlowAsync(FlowDefinition.Chain(
            "wake", new StepDefinition("shout", "transform", "uppercase", """{"field":"name"}"""), new StepDefinition("answer", "echo", "echo")), FlowMode.Realtime));
        await Placement.OnAsync(victim, () => cluster.Flow(flowId).StartAsync());
        await cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, TimeSpan.FromSeconds(30));
        var survivorRuntime = survivor.ServiceProvider.GetRequiredService<IContainerRuntime>();
        Assert.IsEmpty(await ContainersOnAsync(survivorRuntime, flowId), "the steps' containers run on the victim");

        faults.RefuseWakes(flowId, times: 2);
        await cluster.Cluster.KillSiloAsync(victim);
        var clock = Stopwatch.StartNew();

        FlowStatus status;
        while (true)
        {
            status = await cluster.Flow(flowId).GetStatusAsync();
            var here = await ContainersOnAsync(survivorRuntime, flowId);
            if (status.Lifecycle == FlowLifecycle.Running && status.Steps.All(p => p.Phase == StepPhase.Ready && here.Contains(p.ContainerId!)))
            {
                break;
            }

            Assert.IsLessThan(BackWithin, clock.Elapsed, $"not running on the survivor's containers {BackWithin.TotalSeconds:0} s after the kill: " +
                $"{status.Lifecycle} [{string.Join(", ", status.Steps.Select(p => $"{p.StepId}={p.Phase}/{p.ContainerId}"))}], survivor runs [{string.Join(", ", here)}]");
            await Task.Delay(50);
        }

        TestContext.WriteLine($"running again on the survivor {clock.Elapsed.TotalSeconds:F1} s after the kill; wake-ups refused: {faults.Refused}");
        Assert.AreEqual(2, faults.Refused, "the first wake-ups failed, and were asked again");

        Assert.HasCount(2, status.Steps);
        await cluster.Flow(flowId).StopAsync();
    }

    public TestContext TestContext { get; set; } = null!;

    private static async Task<IReadOnlyList<string>> ContainersOnAsync(IContainerRuntime runtime, string flowId) =>
        (await runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Flow] = flowId }, CancellationToken.None)).Select(c => c.Id).ToArray();
}
