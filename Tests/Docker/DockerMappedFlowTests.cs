using System.Text.Json;
using FlowActors.Client;
using FlowActors.Grains.Interfaces.Trials;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;
using FlowActors.Tests.Mappings;

namespace FlowActors.Tests.Docker;

/// <summary>The mapping acceptance flow and trying a step on Docker: real containers, both modes, no container left by a try.</summary>
[TestClass]
[TestCategory("Docker")]
public sealed class DockerMappedFlowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        await DockerTestEngine.EnsureReadyAsync("all");
        s_cluster = await FlowCluster.StartAsync(idleTimeout: TimeSpan.FromSeconds(3), configure: DockerFlowTests.UseDocker);
        await s_cluster.DeployAsync("transform", SampleDeployments.Transform());
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    [DataRow(FlowMode.Ordinary)]
    [DataRow(FlowMode.Realtime)]
    public async Task MappedFlow_OnDocker_SplitsRenamesAndRoutesEachLine_ToItsBranch(FlowMode mode)
    {
        var flowId = await s_cluster.CreateFlowAsync(MappingFlows.Orders(), mode);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        await s_cluster.Flow(flowId).StartAsync();
        await s_cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait);

        var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create(MappingFlows.Order));
        var outputs = await events.WaitForAsync(3, e => e.ExecutionId == execution, Wait);

        Assert.IsTrue(outputs.All(o => o.Kind == FlowEventKind.Output), string.Join("; ", outputs.Select(o => o.Error)));
        CollectionAssert.AreEquivalent(
            MappingFlows.Outputs.Select(o => $"{o.Step} {o.Body}").ToArray(),
            outputs.Select(o => $"{o.StepId} {JsonSerializer.Serialize(JsonDocument.Parse(o.Message!.Body).RootElement)}").ToArray());
        foreach (var output in outputs)
        {
            CollectionAssert.AreEqual(new[] { output.StepId }, output.Path.Single(p => p.StepId == "split").RoutedTo?.ToArray());
        }

        await s_cluster.Flow(flowId).StopAsync();
        await DockerTestEngine.RemoveContainersOfFlowAsync(flowId); // an ordinary flow's idle containers, should they outlive the test
    }

    [TestMethod]
    public async Task TryDraft_OnDocker_RunsEveryStep_AndLeavesNoContainerBehind()
    {
        const string flowId = "docker-try";
        await s_cluster.Flow(flowId).SaveDraftAsync(MappingFlows.Orders());

        var trial = await s_cluster.Client.GetGrain<ITrialGrain>(flowId).TryDraftAsync(new TrialMessage(MappingFlows.Order));

        Assert.IsNull(trial.Error, trial.Error);
        CollectionAssert.AreEqual(new[] { "split", "de", "rest", "de" }, trial.Steps.Select(s => s.StepId).ToArray());
        Assert.AreEqual("""{"order":7,"sku":"a","total":6,"country":"DE","customer":"ADA LOVELACE"}""", trial.Steps[1].Emits.Single().Body);
        Assert.IsEmpty(await DockerTestEngine.ContainersOfFlowAsync(flowId), "the engine holds no container of the try");
    }
}
