using FlowActors.Client;
using FlowActors.Grains.Interfaces.Executions;
using FlowActors.Grains.Interfaces.Trials;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Mappings;

/// <summary>Trying a step and a whole draft on sample data, on real component processes, without running the flow.</summary>
[TestClass]
public sealed class TrialTests
{
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync();
        await s_cluster.DeployAsync("transform", SampleDeployments.Transform());
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
        await s_cluster.DeployAsync("signer", SampleDeployments.Signer());
        await Credentials.CredentialScenarios.SetKeyAsync(s_cluster, MappingFlows.Credential, MappingFlows.Key);
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    public async Task TryStep_OfADraftNeverPublished_ShowsMappedInputEmitsAndEdges_AndLeavesNothingBehind()
    {
        const string flowId = "try-draft";
        await s_cluster.Flow(flowId).SaveDraftAsync(MappingFlows.Orders());

        var trial = await s_cluster.Client.GetGrain<ITrialGrain>(flowId).TryStepAsync("split", new TrialMessage(MappingFlows.Order));

        Assert.IsNull(trial.Error, trial.Error);
        Assert.HasCount(3, trial.Mapped!);
        Assert.AreEqual("""{"order":7,"sku":"a","total":6,"country":"DE","customer":"ada lovelace"}""", trial.Mapped![0]);
        CollectionAssert.AreEqual(new[] { "de", "rest", "de" }, trial.Emits.Select(e => e.Edges.Single(x => x.Taken).To).ToArray());
        Assert.IsTrue(trial.Emits.All(e => e.Kind == "data" && e.Edges.Count == 2));
        Assert.IsGreaterThan(0, trial.Revision);
        Assert.IsEmpty(await s_cluster.ContainersOfAsync(flowId), "the try's component process is gone before it answers");
        var counters = await s_cluster.Client.GetGrain<IExecutionLogGrain>(flowId).GetCountersAsync();
        Assert.AreEqual(0, counters.Accepted + counters.Completed + counters.Failed, "nothing is counted");
    }

    [TestMethod]
    public async Task TryDraft_OfAStoppedFlow_RunsEveryStepAlongTheEdgesEachOutputTakes()
    {
        var flowId = await s_cluster.CreateFlowAsync(MappingFlows.Orders(), FlowMode.Ordinary);
        await s_cluster.Flow(flowId).StartAsync();
        await s_cluster.Flow(flowId).StopAsync();

        var trial = await s_cluster.Client.GetGrain<ITrialGrain>(flowId).TryDraftAsync(new TrialMessage(MappingFlows.Order));

        Assert.IsNull(trial.Error, trial.Error);
        CollectionAssert.AreEqual(new[] { "split", "de", "rest", "de" }, trial.Steps.Select(s => s.StepId).ToArray());
        CollectionAssert.AreEquivalent(
            MappingFlows.Outputs.Select(o => $"{o.Step} {o.Body}").ToArray(),
            trial.Steps.Skip(1).Select(s => $"{s.StepId} {s.Emits.Single().Body}").ToArray());
        Assert.IsEmpty(await s_cluster.ContainersOfAsync(flowId));
    }

    [TestMethod]
    public async Task TryStep_WhoseMappingFails_SaysWhyWithoutStartingTheComponent()
    {
        const string flowId = "try-failing";
        await s_cluster.Flow(flowId).SaveDraftAsync(FlowDefinition.Chain("failing", new StepDefinition("only", "echo", "echo", Mapping: "$number(name)")));

        var trial = await s_cluster.Client.GetGrain<ITrialGrain>(flowId).TryStepAsync("only", new TrialMessage("""{"name":"ada"}"""));

        StringAssert.Contains(trial.Error, "Step 'only': its mapping '$number(name)' failed");
        Assert.AreEqual(0, trial.Revision, "no component was started");
    }

    [TestMethod]
    public async Task TryStep_HandsTheStepItsCredential_AsARunningStepDoes()
    {
        const string flowId = "try-credential";
        await Credentials.CredentialScenarios.SetKeyAsync(s_cluster, "try-key", "k-1");
        await s_cluster.Flow(flowId).SaveDraftAsync(FlowDefinition.Chain(
            "signed", new StepDefinition("sign", "signer", "sign", Credential: "try-key", Mapping: "{ 'order': orderId }")));

        var trial = await s_cluster.Client.GetGrain<ITrialGrain>(flowId).TryStepAsync("sign", new TrialMessage("""{"orderId":7}"""));

        Assert.IsNull(trial.Error, trial.Error);
        var emit = trial.Emits.Single();
        Assert.AreEqual("data", emit.Kind, emit.Error);
        StringAssert.Contains(emit.Body, Credentials.CredentialScenarios.SignatureOf("k-1", """{"order":7}"""), "the component signed the mapped body with the credential's key");
    }

    [TestMethod]
    public async Task EvaluateExpression_GivesTheValue_OrTheSyntaxErrorWithItsPosition()
    {
        var expressions = s_cluster.Client.GetGrain<IExpressionGrain>(0);

        var value = await expressions.EvaluateAsync(new ExpressionSample("{ 'who': $uppercase(name), 'step': $stepId }", """{"name":"ada"}""", StepId: "greet"));
        var condition = await expressions.EvaluateAsync(new ExpressionSample("country = 'DE'", """{"country":"FR"}""", Condition: true));
        var broken = await expressions.EvaluateAsync(new ExpressionSample("name +", "{}"));

        Assert.AreEqual("""{"who":"ADA","step":"greet"}""", value.Result);
        Assert.AreEqual("false", condition.Result);
        Assert.IsNotNull(broken.Error);
        Assert.AreEqual(6, broken.Position, broken.Error);
    }
}
