using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Flows;

/// <summary>Drafts and published revisions: what is refused changes nothing.</summary>
[TestClass]
public sealed class FlowDraftTests
{
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync();
        await s_cluster.DeployAsync("transform", SampleDeployments.Transform());
        await s_cluster.DeployAsync("delay", SampleDeployments.Delay());
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    public async Task InvalidDraft_IsRefusedWithTheField_AndTheStoredDraftIsUnchanged()
    {
        var flow = s_cluster.Flow($"draft-{Guid.NewGuid():N}"[..20]);
        var valid = SampleFlows.ThreeSteps();
        await flow.SaveDraftAsync(valid);

        var invalid = valid with { Steps = [.. valid.Steps.Take(2), valid.Steps[2] with { ComponentId = "missing" }] };
        var refused = await Assert.ThrowsExactlyAsync<FlowValidationException>(() => flow.SaveDraftAsync(invalid));

        Assert.AreEqual("steps[2].componentId", refused.Errors.Single().Field);
        Assert.AreEqual("echo", (await flow.GetDraftAsync())!.Steps[2].ComponentId);
    }

    [TestMethod]
    public async Task InvalidFlowId_IsRefused()
    {
        var refused = await Assert.ThrowsExactlyAsync<FlowValidationException>(
            () => s_cluster.Flow("has spaces").SaveDraftAsync(SampleFlows.ThreeSteps()));
        Assert.AreEqual("flowId", refused.Errors.Single().Field);
    }

    [TestMethod]
    public async Task Publish_MakesAnImmutableRevision_ThatALaterDraftDoesNotChange()
    {
        var flow = s_cluster.Flow($"pub-{Guid.NewGuid():N}"[..20]);
        await flow.SaveDraftAsync(SampleFlows.ThreeSteps());
        var first = await flow.PublishAsync();

        await flow.SaveDraftAsync(SampleFlows.ThreeSteps() with { Name = "renamed" });

        Assert.AreEqual(1, first.Revision);
        Assert.AreEqual("three steps", (await flow.GetPublishedAsync())!.Definition.Name);
        Assert.AreEqual(2, (await flow.PublishAsync()).Revision);
    }

    [TestMethod]
    public async Task Start_WithNothingPublished_SaysToPublishFirst()
    {
        var flow = s_cluster.Flow($"nopub-{Guid.NewGuid():N}"[..20]);
        await flow.SaveDraftAsync(SampleFlows.ThreeSteps());

        var refused = await Assert.ThrowsExactlyAsync<FlowStateException>(() => flow.StartAsync());
        StringAssert.Contains(refused.Message, "Publish a draft");
    }
}
