using FlowActors.Client;
using FlowActors.Containers.Leases;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Flows;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlowActors.Tests.Leases;

/// <summary>
/// A step's lease is renewed on an interleaving timer, so message work never delays it: a step whose stream delivery
/// waits behind a busy component for longer than its lease keeps its healthy container.
/// </summary>
[TestClass]
public sealed class LeaseRenewalTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync(
            configure: silo => silo.Services.Configure<ContainerReaperOptions>(o =>
            {
                // An expired lease is enforced at once: a renewal that comes late shows.
                o.Period = TimeSpan.FromMilliseconds(200);
                o.Grace = TimeSpan.Zero;
            }),
            steps: o =>
            {
                o.ColdStartTimeout = TimeSpan.FromSeconds(15);
                o.InvokeTimeout = TimeSpan.FromSeconds(8);
                o.LeaseDuration = BusyStep.Busy / 2;
                o.InboxCapacity = BusyStep.InboxCapacity;
                o.MaxBatchSize = 1;
            });
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
        await s_cluster.DeployAsync("delay", SampleDeployments.Delay());
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    public async Task StepBusyForLongerThanItsLease_KeepsItsContainer_AndServesEveryMessage()
    {
        await using var running = await s_cluster.StartRealtimeFlowAsync(BusyStep.Flow(), Wait);
        var (flowId, events) = running;
        var before = (await s_cluster.ContainersOfAsync(flowId)).Select(c => c.Id).Order().ToArray();

        var executions = await BusyStep.FillInboxAsync(s_cluster, flowId);
        var outputs = await events.WaitForAsync(executions.Length, e => executions.Contains(e.ExecutionId), Wait + (BusyStep.Busy * executions.Length));

        Assert.IsTrue(outputs.All(o => o.Kind == FlowEventKind.Output), string.Join("; ", outputs.Select(o => o.Error)));
        Assert.IsEmpty(s_cluster.Logs.Find($"Flow {flowId} step slow could not renew"));
        CollectionAssert.AreEqual(before, (await s_cluster.ContainersOfAsync(flowId)).Select(c => c.Id).Order().ToArray(), "the busy step kept its container");
        await s_cluster.Flow(flowId).StopAsync();
    }
}
