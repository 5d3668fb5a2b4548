using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Flows;

/// <summary>A component that crashes, hangs or answers garbage fails that execution at its step, and nothing else.</summary>
[TestClass]
public sealed class ComponentFailureTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static FlowCluster s_cluster = null!;
    private static string s_flowId = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync();
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
        await s_cluster.DeployAsync("faulty", SampleDeployments.Faulty());
        s_flowId = await s_cluster.CreateFlowAsync(SampleFlows.WithFaultyStep(), FlowMode.Realtime);
        await s_cluster.Flow(s_flowId).StartAsync();
        await s_cluster.WaitForLifecycleAsync(s_flowId, FlowLifecycle.Running, Wait);
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    [DataRow("crash", "closed the connection")]
    [DataRow("hang", "did not answer within")]
    [DataRow("garbage", "not a protocol reply")]
    [DataRow("error", "reported an error")]
    public async Task FailingComponent_GivesAnExecutionErrorNamingTheStep_AndTheFlowKeepsRunning(string failure, string expected)
    {
        await using var events = await s_cluster.SubscribeAsync(s_flowId);
        var flow = s_cluster.Flow(s_flowId);

        var failing = await flow.SendAsync(FlowMessage.Create($$"""{"fail":"{{failure}}"}"""));
        var error = (await events.WaitForAsync(1, e => e.ExecutionId == failing, Wait)).Single();

        Assert.AreEqual(FlowEventKind.Error, error.Kind);
        Assert.AreEqual("check", error.StepId);
        StringAssert.Contains(error.Error, "Step 'check'");
        StringAssert.Contains(error.Error, expected);

        var healthy = await flow.SendAsync(FlowMessage.Create("""{"name":"fine"}"""));
        var output = (await events.WaitForAsync(1, e => e.ExecutionId == healthy, Wait)).Single();
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        Assert.AreEqual(FlowLifecycle.Running, (await flow.GetStatusAsync()).Lifecycle);
    }

    [TestMethod]
    [DataRow("garbage", "not a protocol reply")]
    [DataRow("throw", "threw on purpose")]
    public async Task PoisonMessageInABurst_FailsAlone_AndEveryOtherMessageGetsThrough(string failure, string expected)
    {
        await using var events = await s_cluster.SubscribeAsync(s_flowId);
        var flow = s_cluster.Flow(s_flowId);

        // Sent at once, so the faulty step gets the poison message in a batch with healthy ones: a reply that
        // breaks the whole batch (garbage) must come down to that one message.
        var bodies = Enumerable.Range(0, 300).Select(i => i == 150 ? $$"""{"fail":"{{failure}}"}""" : $$"""{"n":{{i}}}""").ToArray();
        var executions = await Task.WhenAll(bodies.Select(body => flow.SendAsync(FlowMessage.Create(body))));
        var poison = executions[150];
        var results = await events.WaitForAsync(300, e => executions.Contains(e.ExecutionId), Wait);

        var errors = results.Where(e => e.Kind == FlowEventKind.Error).ToArray();
        Assert.HasCount(1, errors, string.Join("; ", errors.Take(3).Select(e => e.Error)));
        Assert.AreEqual(poison, errors[0].ExecutionId);
        Assert.AreEqual("check", errors[0].StepId);
        StringAssert.Contains(errors[0].Error, "Step 'check'");
        StringAssert.Contains(errors[0].Error, expected);
        Assert.HasCount(299, results.Where(e => e.Kind == FlowEventKind.Output));
    }
}
