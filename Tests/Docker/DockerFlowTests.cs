using Docker.DotNet.Models;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Containers.Leases;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Flows;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlowActors.Tests.Docker;

/// <summary>The core flows on real containers: what the Docker API shows while flows run in both modes.</summary>
[TestClass]
[TestCategory("Docker")]
public sealed class DockerFlowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        await DockerTestEngine.EnsureReadyAsync("all");
        s_cluster = await FlowCluster.StartAsync(idleTimeout: TimeSpan.FromSeconds(3), configure: UseDocker);
        await s_cluster.DeployAsync("transform", SampleDeployments.Transform());
        await s_cluster.DeployAsync("delay", SampleDeployments.Delay());
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
        await s_cluster.DeployAsync("busybox", BusyboxDeployment());
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    internal static void UseDocker(ISiloBuilder silo) =>
        silo.Services.Configure<ContainerRuntimeOptions>(o => o.Kind = ContainerRuntimeKind.Docker);

    internal static ComponentDeployment BusyboxDeployment() => new(
        new ComponentLaunch(DockerTestEngine.BusyboxImage, null, [], new Dictionary<string, string>()),
        new ComponentDescriptor([], ["echo", "uppercase"]));

    [TestMethod]
    public async Task OrdinaryFlow_OnDocker_CreatesContainersPerActivation_AndRemovesThemWhenIdle()
    {
        var flowId = await s_cluster.CreateFlowAsync(SampleFlows.ThreeSteps(), FlowMode.Ordinary);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        await s_cluster.Flow(flowId).StartAsync();
        Assert.IsEmpty(await ContainersAsync(flowId));

        var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"name":"ada"}"""));
        var output = (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();

        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        Assert.AreEqual("ADA", FlowExecutionTests.Field(output, "name"));
        var containers = await ContainersAsync(flowId);
        CollectionAssert.AreEquivalent(new[] { "shout", "lookup", "answer" }, containers.Select(c => c.Labels[ContainerLabels.Step]).ToArray());
        await WaitUntilGoneAsync(flowId, s_cluster.IdleTimeout * 10);
    }

    [TestMethod]
    public async Task RealtimeFlow_OnDocker_KeepsTheSameContainers_AndRemovesThemOnStop()
    {
        await using var running = await s_cluster.StartRealtimeFlowAsync(SampleFlows.ThreeSteps(), Wait);
        var (flowId, events) = running;
        var before = (await ContainersAsync(flowId)).Select(c => c.ID).Order().ToArray();
        Assert.HasCount(3, before);

        var executions = new HashSet<string>();
        for (var i = 0; i < 100; i++)
        {
            executions.Add(await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create($$"""{"name":"n{{i}}"}""")));
        }

        var outputs = await events.WaitForAsync(100, e => executions.Contains(e.ExecutionId), Wait);
        Assert.IsTrue(outputs.All(o => o.Kind == FlowEventKind.Output), string.Join("; ", outputs.Select(o => o.Error)));
        CollectionAssert.AreEqual(before, (await ContainersAsync(flowId)).Select(c => c.ID).Order().ToArray());

        await s_cluster.Flow(flowId).StopAsync();
        Assert.IsEmpty(await ContainersAsync(flowId), "stop removes the containers");
    }

    [TestMethod]
    public async Task BusyboxShellComponent_RunsAsAStepOfAFlow()
    {
        var definition = FlowDefinition.Chain(
            "shell",
            new StepDefinition("shout", "busybox", "uppercase"),
            new StepDefinition("answer", "echo", "echo"));
        await using var running = await s_cluster.StartRealtimeFlowAsync(definition, Wait);
        var (flowId, events) = running;

        var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"name":"grace"}"""));
        var output = (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();

        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        Assert.AreEqual("GRACE", FlowExecutionTests.Field(output, "name"));
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task BusyboxShellComponent_WithoutTheBatchPath_GetsABurstOneByOne()
    {
        var definition = FlowDefinition.Chain(
            "shell burst",
            new StepDefinition("shout", "busybox", "uppercase"),
            new StepDefinition("answer", "echo", "echo"));
        await using var running = await s_cluster.StartRealtimeFlowAsync(definition, Wait);
        var (flowId, events) = running;

        // Sent at once, so the step has several queued when it calls: it tries /invoke/batch, gets a 404, falls back.
        var executions = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            s_cluster.Flow(flowId).SendAsync(FlowMessage.Create($$"""{"name":"n{{i}}"}"""))));
        var outputs = await events.WaitForAsync(40, e => executions.Contains(e.ExecutionId), Wait);

        Assert.IsTrue(outputs.All(o => o.Kind == FlowEventKind.Output), string.Join("; ", outputs.Where(o => o.Error is not null).Take(3).Select(o => o.Error)));
        CollectionAssert.AreEquivalent(
            Enumerable.Range(0, 40).Select(i => $"N{i}").ToArray(),
            outputs.Select(o => FlowExecutionTests.Field(o, "name")).ToArray());
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task KilledRealtimeContainer_IsReplaced_AndTheMessageInFlightIsRetried()
    {
        var definition = FlowDefinition.Chain(
            "slow first",
            new StepDefinition("lookup", "delay", "delay", """{"ms":1500}"""),
            new StepDefinition("answer", "echo", "echo"));
        await using var running = await s_cluster.StartRealtimeFlowAsync(definition, Wait);
        var (flowId, events) = running;
        var flow = s_cluster.Flow(flowId);
        var victim = (await ContainersAsync(flowId)).Single(c => c.Labels[ContainerLabels.Step] == "lookup");

        var inFlight = await flow.SendAsync(FlowMessage.Create("""{"name":"in flight"}"""));
        // Not a synchronisation: the component holds the message for 1.5 s, and this lands the kill inside that window.
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        await DockerTestEngine.Docker.Containers.KillContainerAsync(victim.ID, new ContainerKillParameters());

        var retried = (await events.WaitForAsync(1, e => e.ExecutionId == inFlight, Wait)).Single();
        Assert.AreEqual(FlowEventKind.Output, retried.Kind, retried.Error);
        var replacement = (await ContainersAsync(flowId)).Single(c => c.Labels[ContainerLabels.Step] == "lookup");
        Assert.AreNotEqual(victim.ID, replacement.ID, "a new container holds the lease");
        Assert.AreEqual(replacement.ID, (await flow.GetStatusAsync()).Steps.Single(s => s.StepId == "lookup").ContainerId);

        var later = await flow.SendAsync(FlowMessage.Create("""{"name":"later"}"""));
        var laterOutput = (await events.WaitForAsync(1, e => e.ExecutionId == later, Wait)).Single();
        Assert.AreEqual(FlowEventKind.Output, laterOutput.Kind, laterOutput.Error);
        await flow.StopAsync();
    }

    [TestMethod]
    public async Task KilledIdleRealtimeContainer_IsReplacedBeforeAnyMessage_AndTheStatusShowsIt()
    {
        await using var running = await s_cluster.StartRealtimeFlowAsync(SampleFlows.ThreeSteps(), Wait);
        var flow = s_cluster.Flow(running.FlowId);
        var victim = (await flow.GetStatusAsync()).Steps.Single(s => s.StepId == "lookup").ContainerId!;

        await DockerTestEngine.Docker.Containers.KillContainerAsync(victim, new ContainerKillParameters());

        var replacement = await Leases.IdleContainerDeathTests.WaitForReplacementAsync(s_cluster, running.FlowId, "lookup", victim, TimeSpan.FromSeconds(30));
        // The die event's log line may land just after the replacement it started; a lease check never writes it.
        var died = $"Flow {running.FlowId} step lookup: container {victim} died";
        for (var until = DateTime.UtcNow.AddSeconds(5); s_cluster.Logs.Find(died).Count == 0 && DateTime.UtcNow < until;)
        {
            await Task.Delay(50); // the captured log has no change notification to await
        }

        Assert.IsNotEmpty(s_cluster.Logs.Find(died), "replaced on Docker's die event, not by a later check");
        var listed = (await ContainersAsync(running.FlowId)).Single(c => c.Labels[ContainerLabels.Step] == "lookup");
        Assert.AreEqual(replacement, listed.ID);
        Assert.AreEqual("running", listed.State);
        await flow.StopAsync();
    }

    private static Task<IList<ContainerListResponse>> ContainersAsync(string flowId) => DockerTestEngine.ContainersOfFlowAsync(flowId);

    private static async Task WaitUntilGoneAsync(string flowId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while ((await ContainersAsync(flowId)).Count > 0)
        {
            if (cts.IsCancellationRequested)
            {
                Assert.Fail($"Containers of flow {flowId} were still there {timeout.TotalSeconds:0.#} s later.");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }
}
