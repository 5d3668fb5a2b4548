using FlowActors.Client;
using FlowActors.Client.Events;
using FlowActors.Grains.Interfaces.Delivery;
using FlowActors.Grains.Interfaces.Executions;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Processes;
using FlowActors.Tests.Client;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Flows;

/// <summary>
/// Which component revision serves a message: a running real-time flow keeps the revisions it started
/// with; an ordinary step takes the newest at its next container start. Revisions tag their output.
/// </summary>
[TestClass]
public sealed class RedeployTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync();
        await s_cluster.DeployAsync("delay", SampleDeployments.Delay());
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    public async Task RealtimeFlow_KeepsItsRevisionUntilStoppedAndStarted()
    {
        var transform = NewComponentId();
        await s_cluster.DeployAsync(transform, SampleDeployments.Transform(tag: "v1"));
        await using var running = await s_cluster.StartRealtimeFlowAsync(SampleFlows.ThreeSteps(transform), Wait);
        var (flowId, events) = running;
        var flow = s_cluster.Flow(flowId);

        Assert.AreEqual("v1", await TagOfNextOutputAsync(flow, events));
        await s_cluster.DeployAsync(transform, SampleDeployments.Transform(tag: "v2"));
        Assert.AreEqual("v1", await TagOfNextOutputAsync(flow, events), "a running real-time flow keeps its revision");
        Assert.AreEqual(1, (await flow.GetStatusAsync()).Steps.Single(s => s.StepId == "shout").Revision);

        await flow.StopAsync();
        await flow.StartAsync();
        await s_cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait);
        Assert.AreEqual("v2", await TagOfNextOutputAsync(flow, events), "stop + start picks up the new revision");
        Assert.AreEqual(2, (await flow.GetStatusAsync()).Steps.Single(s => s.StepId == "shout").Revision);
        await flow.StopAsync();
    }

    [TestMethod]
    public async Task OrdinaryStep_UsesTheNewestRevisionAtItsNextContainerStart()
    {
        var transform = NewComponentId();
        await s_cluster.DeployAsync(transform, SampleDeployments.Transform(tag: "v1"));
        var flowId = await s_cluster.CreateFlowAsync(SampleFlows.ThreeSteps(transform), FlowMode.Ordinary);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        var flow = s_cluster.Flow(flowId);
        await flow.StartAsync();

        Assert.AreEqual("v1", await TagOfNextOutputAsync(flow, events));
        var firstContainers = await s_cluster.ContainersOfAsync(flowId);
        await s_cluster.DeployAsync(transform, SampleDeployments.Transform(tag: "v2"));

        // The running activation keeps its container until it goes idle; the next one starts the newest revision.
        await ContainerProcesses.WaitForExitAsync(firstContainers.Select(ContainerProcesses.Pid), s_cluster.IdleTimeout * 10);
        Assert.AreEqual("v2", await TagOfNextOutputAsync(flow, events));
        await flow.StopAsync();
    }

    [TestMethod]
    public async Task OrdinaryStep_IdleAfterAFix_TakesAReplayPinnedToTheNewRevision_AndTheExecutionSucceedsAtOnce()
    {
        var faulty = $"faulty-{Guid.NewGuid():N}"[..20];
        await s_cluster.DeployAsync(faulty, SampleDeployments.Faulty());
        var flowId = await s_cluster.CreateFlowAsync(FlowDefinition.Chain("until fixed", new StepDefinition("check", faulty, "maybeFail")), FlowMode.Ordinary);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        var flow = s_cluster.Flow(flowId);
        await flow.StartAsync();
        var execution = await flow.SendAsync(FlowMessage.Create("""{"fail":"untilFixed"}"""));
        Assert.AreEqual(FlowEventKind.Error, (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single().Kind);
        var firstContainers = await s_cluster.ContainersOfAsync(flowId);
        var deadLetters = s_cluster.Client.GetGrain<IDeadLetterGrain>(flowId);
        var id = (await deadLetters.ListAsync(0, 10)).Items.Single().Id;

        // The fix is revision 2. No step will ever run revision 3; once the step is idle, its next container runs 2.
        await s_cluster.DeployAsync(faulty, SampleDeployments.Faulty(tag: "fixed"));
        var never = await Assert.ThrowsExactlyAsync<FlowStateException>(() => deadLetters.ReplayAsync(id, 3));
        StringAssert.Contains(never.Message, "not 3");
        await ContainerProcesses.WaitForExitAsync(firstContainers.Select(ContainerProcesses.Pid), s_cluster.IdleTimeout * 10);
        Assert.AreEqual(execution, await deadLetters.ReplayAsync(id, 2));

        var output = (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        Assert.AreEqual("fixed", FlowExecutionTests.Field(output, "tag"));
        var log = s_cluster.Client.GetGrain<IExecutionLogGrain>(flowId);
        var record = await FlowActorsClientTests.PollAsync(() => log.GetAsync(execution), r => r?.Outputs.Count == 1);
        Assert.AreEqual(ExecutionStatus.Succeeded, record!.Status, "the replay's output is the execution's outcome, not the failure it replayed");
        Assert.IsNull(record.FailedStep);
        await flow.StopAsync();
    }

    private static async Task<string?> TagOfNextOutputAsync(IFlowGrain flow, FlowEventSubscription events)
    {
        var execution = await flow.SendAsync(FlowMessage.Create("""{"name":"tagged"}"""));
        var output = (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        return FlowExecutionTests.Field(output, "tag");
    }

    private static string NewComponentId() => $"transform-{Guid.NewGuid():N}"[..20];
}
