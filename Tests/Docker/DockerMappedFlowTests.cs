using FlowActors.Grains.Interfaces.Trials;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Credentials;
using FlowActors.Tests.Infrastructure;
using FlowActors.Tests.Mappings;

namespace FlowActors.Tests.Docker;

/// <summary>
/// Trying a whole draft of the mapping acceptance flow on Docker: real containers, the signing step handed its credential,
/// no container left by the try. The flow itself runs on Docker in <see cref="MappingAcceptanceTests"/>.
/// </summary>
[TestClass]
[TestCategory("Docker")]
public sealed class DockerMappedFlowTests
{
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        await DockerTestEngine.EnsureReadyAsync("all");
        s_cluster = await FlowCluster.StartAsync(idleTimeout: TimeSpan.FromSeconds(3), configure: DockerFlowTests.UseDocker);
        await s_cluster.DeployAsync("transform", SampleDeployments.Transform());
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
        await s_cluster.DeployAsync("signer", SampleDeployments.Signer());
        await CredentialScenarios.SetKeyAsync(s_cluster, MappingFlows.Credential, MappingFlows.Key);
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    public async Task TryDraft_OnDocker_RunsEveryStep_AndLeavesNoContainerBehind()
    {
        const string flowId = "docker-try";
        await s_cluster.Flow(flowId).SaveDraftAsync(MappingFlows.Orders());

        var trial = await s_cluster.Client.GetGrain<ITrialGrain>(flowId).TryDraftAsync(new TrialMessage(MappingFlows.Order));

        Assert.IsNull(trial.Error, trial.Error);
        CollectionAssert.AreEqual(new[] { "split", "de", "rest", "de" }, trial.Steps.Select(s => s.StepId).ToArray());
        Assert.AreEqual("""{"order":7,"sku":"a","total":6,"country":"DE","customer":"ADA LOVELACE"}""", trial.Steps[1].Emits.Single().Body);
        Assert.AreEqual(MappingFlows.Outputs[1].Body, trial.Steps[2].Emits.Single().Body, "the try's container was handed the step's credential");
        Assert.IsEmpty(await DockerTestEngine.ContainersOfFlowAsync(flowId), "the engine holds no container of the try");
    }
}
