using System.Diagnostics;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Processes;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlowActors.Tests.Flows;

/// <summary>
/// A real-time flow reconciles with its steps instead of assuming: a flow or step grain that activates again finds the
/// run where it was (same containers, no warm-up), reports of another run change nothing, and a run fails at most once.
/// </summary>
[TestClass]
public sealed class ReconciliationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    // The slow-start component answers its health probe only this long after it starts: a message that is served in
    // less time than this did not wait for a warm-up.
    private static readonly TimeSpan SlowStart = TimeSpan.FromSeconds(3);

    private static readonly CallFaults Faults = new();
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        // Probes far apart: a warm-up that outlived its run would report its container's end well after the next run began.
        s_cluster = await FlowCluster.StartAsync(
            reconcilePeriod: TimeSpan.FromSeconds(2),
            configure: silo =>
            {
                silo.AddIncomingGrainCallFilter(Faults);

                // As with a runtime that cannot report deaths, or events missed while it reconnects to its engine: only
                // the flow's reminder and the step's lease tick notice a container that died while nothing used it.
                silo.Services.AddSingleton<IContainerDeathNotifier>(new NoDeathEvents());
            },
            steps: o => o.ProbeInterval = TimeSpan.FromMilliseconds(500));
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
        await s_cluster.DeployAsync("transform", SampleDeployments.Transform());
        await s_cluster.DeployAsync("delay", SampleDeployments.Delay());
        await s_cluster.DeployAsync("slow-start", SampleDeployments.Echo(warmUp: SlowStart));
        await s_cluster.DeployAsync("greet", SampleDeployments.NodeGreet());
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    private static FlowDefinition SlowStartFlow() => FlowDefinition.Chain(
        "slow start",
        new StepDefinition("first", "slow-start", "echo"),
        new StepDefinition("second", "transform", "uppercase", """{"field":"name"}"""));

    private static FlowDefinition TwoFastSteps() => FlowDefinition.Chain(
        "two fast steps",
        new StepDefinition("first", "echo", "echo"),
        new StepDefinition("second", "transform", "uppercase", """{"field":"name"}"""));

    [TestMethod]
    public async Task DeactivatedFlowGrain_RunsAgainWithinTwoSeconds_WithTheSameContainers_AndServesWithoutAWarmUp()
    {
        await using var running = await s_cluster.StartRealtimeFlowAsync(SlowStartFlow(), Wait);
        var (flowId, events) = running;
        var before = await s_cluster.StepContainersAsync(flowId);

        await s_cluster.Management.DeactivateGrain(s_cluster.Flow(flowId).GetGrainId());
        var reactivated = Stopwatch.StartNew();
        await s_cluster.WaitForStatusAsync(flowId, s => s.Lifecycle == FlowLifecycle.Running && s.Steps.All(p => p.Phase == StepPhase.Ready),
            TimeSpan.FromSeconds(2), "running again after the flow grain's reactivation");

        Assert.IsNotEmpty(s_cluster.Logs.Find($"Flow {flowId} activated while its run"), "the flow grain was activated again");
        CollectionAssert.AreEquivalent(before.ToArray(), (await s_cluster.StepContainersAsync(flowId)).ToArray(), "the same containers serve the run");
        await AssertServedWithoutWarmUpAsync(flowId, events);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task DeactivatedStepGrain_TakesItsContainerUpAgain_AndServesWithoutAWarmUp()
    {
        await using var running = await s_cluster.StartRealtimeFlowAsync(SlowStartFlow(), Wait);
        var (flowId, events) = running;
        var before = await s_cluster.StepContainersAsync(flowId);

        await s_cluster.Management.DeactivateGrain(s_cluster.Client.GetGrain<IStepGrain>(FlowStreams.StepKey(flowId, "first")).GetGrainId());
        await WaitForLogAsync($"Flow {flowId} step first took its container {before["first"]} up again");

        await s_cluster.WaitForStatusAsync(flowId, s => s.Lifecycle == FlowLifecycle.Running && s.Steps.All(p => p.Phase == StepPhase.Ready),
            TimeSpan.FromSeconds(2), "running with every step ready");
        CollectionAssert.AreEquivalent(before.ToArray(), (await s_cluster.StepContainersAsync(flowId)).ToArray(), "the same containers serve the run");
        Assert.IsNotEmpty(await s_cluster.ContainersOfAsync(flowId));
        Assert.HasCount(2, await s_cluster.ContainersOfAsync(flowId), "no container was started beside them");
        await AssertServedWithoutWarmUpAsync(flowId, events);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task ForcedActivationCollection_LeavesRunningFlowsServing_RealtimeOnesWithTheirContainers()
    {
        await using var realtime = await s_cluster.StartRealtimeFlowAsync(SlowStartFlow(), Wait);
        var ordinaryId = await s_cluster.CreateFlowAsync(SampleFlows.ThreeSteps(), FlowMode.Ordinary);
        await using var ordinaryEvents = await s_cluster.SubscribeAsync(ordinaryId);
        await s_cluster.Flow(ordinaryId).StartAsync();
        var before = await s_cluster.StepContainersAsync(realtime.FlowId);

        await s_cluster.Management.ForceActivationCollection(TimeSpan.Zero);

        await AssertServedWithoutWarmUpAsync(realtime.FlowId, realtime.Events);
        CollectionAssert.AreEquivalent(before.ToArray(), (await s_cluster.StepContainersAsync(realtime.FlowId)).ToArray(), "the same containers serve the run");
        var execution = await s_cluster.Flow(ordinaryId).SendAsync(FlowMessage.Create("""{"name":"ada"}"""));
        var output = (await ordinaryEvents.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        await s_cluster.Flow(realtime.FlowId).StopAsync();
        await s_cluster.Flow(ordinaryId).StopAsync();
    }

    [TestMethod]
    public async Task ContainerThatDiesWhileTheFlowIsIdle_WithoutADeathEvent_IsReplacedBeforeAnyMessage()
    {
        await using var running = await s_cluster.StartRealtimeFlowAsync(TwoFastSteps(), Wait);
        var (flowId, events) = running;
        var before = (await s_cluster.StepContainersAsync(flowId))["second"]!;

        // Killed behind the runtime's back: no death event, no message; the flow's reminder (or the step's lease tick) notices.
        using (var process = Process.GetProcessById(ContainerProcesses.Pid(before)))
        {
            process.Kill();
        }

        var status = await s_cluster.WaitForStatusAsync(
            flowId, s => s.Steps.Single(p => p.StepId == "second") is { Phase: StepPhase.Ready, ContainerId: { } id } && id != before,
            Wait, "a replacement of the killed container");
        Assert.AreEqual(FlowLifecycle.Running, status.Lifecycle);
        Assert.IsNotEmpty(s_cluster.Logs.Find($"Flow {flowId} step second: container {before} is gone (found by"));

        var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"name":"ada"}"""));
        var output = (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task OrdinaryStep_KeepsItsComponentsSnapshot_AcrossIdleDeactivations()
    {
        // greet's count action counts the messages its step has seen, in the step's snapshot.
        var flowId = await s_cluster.CreateFlowAsync(FlowDefinition.Chain("counting", new StepDefinition("count", "greet", "count")), FlowMode.Ordinary);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        await s_cluster.Flow(flowId).StartAsync();

        Assert.AreEqual(1, await CountAsync());
        await s_cluster.WaitForNoContainersAsync(flowId, Wait); // the activation went idle, its container with it
        Assert.AreEqual(2, await CountAsync(), "the new activation handed the component the snapshot the last one stored");
        await s_cluster.Flow(flowId).StopAsync();

        async Task<int> CountAsync()
        {
            var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("{}"));
            var output = (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();
            Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
            return System.Text.Json.JsonDocument.Parse(output.Message!.Body).RootElement.GetProperty("count").GetInt32();
        }
    }

    [TestMethod]
    public async Task ReportOfAnOldRun_ChangesNothingInTheNewRun()
    {
        var flowId = await s_cluster.CreateFlowAsync(SlowStartFlow(), FlowMode.Realtime);
        var flow = s_cluster.Flow(flowId);
        await flow.StartAsync();
        var oldRun = (await flow.GetStepPlanAsync("first"))!.RunId;
        await flow.StopAsync();
        await flow.StartAsync();
        Assert.AreEqual(FlowLifecycle.WarmingUp, (await flow.GetStatusAsync()).Lifecycle);

        // A step of the first run reports late, as a warm-up that outlived its run would.
        await flow.ReportStepAsync(oldRun, new StepStatus("first", "slow-start", 1, StepPhase.Failed, "process-1", "exited before it answered its health probe"));

        await s_cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait);
        var status = await flow.GetStatusAsync();
        Assert.IsNull(status.Error);
        Assert.IsTrue(status.Steps.All(s => s.Phase == StepPhase.Ready && s.Error is null));
        await flow.StopAsync();
    }

    [TestMethod]
    public async Task StopThatMissedAWarmingStep_TheNextRunWarmsUp_BecauseTheOldRunsWarmUpEndedWithIt()
    {
        var flowId = await s_cluster.CreateFlowAsync(SlowStartFlow(), FlowMode.Realtime);
        var flow = s_cluster.Flow(flowId);
        await flow.StartAsync();
        await s_cluster.WaitForStatusAsync(flowId, s => s.Steps.Any(p => p.StepId == "first" && p.Phase == StepPhase.WarmingUp && p.ContainerId is not null),
            Wait, "the slow step warming up");

        // The stop does not reach the warming step (its silo was busy, say): the step is still in the first run, probing
        // its container, when the second run starts and takes the step over.
        var refused = Faults.Refused;
        Faults.RefuseStops(FlowStreams.StepKey(flowId, "first"));
        await flow.StopAsync();
        Assert.AreEqual(refused + 1, Faults.Refused, "the stop missed the step");
        await flow.StartAsync();
        var lifecycles = await s_cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait);

        CollectionAssert.DoesNotContain(lifecycles.ToArray(), FlowLifecycle.Failed, (await flow.GetStatusAsync()).Error);
        Assert.IsEmpty(s_cluster.Logs.Find($"Flow {flowId} failed"));
        Assert.IsEmpty(s_cluster.Logs.Find($"Flow {flowId} step first is not ready"), "the first run's warm-up ended with its run, without a word");
        await flow.StopAsync();
    }

    [TestMethod]
    public async Task StepThatCannotStart_FailsItsRunOnce_AndTheStoredStateSaysFailed()
    {
        await s_cluster.DeployAsync("missing", new ComponentDeployment(
            new ComponentLaunch(null, "/nonexistent/flowactors-component", [], new Dictionary<string, string>()),
            new ComponentDescriptor([], ["echo"])));
        var definition = FlowDefinition.Chain(
            "cannot start",
            new StepDefinition("first", "echo", "echo"),
            new StepDefinition("broken", "missing", "echo"));
        var flowId = await s_cluster.CreateFlowAsync(definition, FlowMode.Realtime);
        var flow = s_cluster.Flow(flowId);

        await flow.StartAsync();
        await s_cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Failed, Wait);
        await s_cluster.WaitForNoContainersAsync(flowId, Wait);
        var failed = await flow.GetStatusAsync();

        StringAssert.Contains(failed.Error, "Step 'broken'");
        Assert.HasCount(1, s_cluster.Logs.Find($"Flow {flowId} failed"), "the run failed once");

        // What was stored agrees with what the activation showed.
        await s_cluster.Management.DeactivateGrain(flow.GetGrainId());
        var stored = await flow.GetStatusAsync();
        Assert.AreEqual(FlowLifecycle.Failed, stored.Lifecycle);
        await flow.StartAsync(); // a failed flow can be started again (and fails again)
        await s_cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Failed, Wait);
    }

    /// <summary>A message gets through in less time than a warm-up takes: the run's containers were warm.</summary>
    private static async Task AssertServedWithoutWarmUpAsync(string flowId, FlowActors.Client.Events.FlowEventSubscription events)
    {
        var sent = Stopwatch.StartNew();
        var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"name":"warm"}"""));
        var output = (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        Assert.IsLessThan(SlowStart, sent.Elapsed, $"served in {sent.Elapsed.TotalMilliseconds:0} ms: it waited for a warm-up");
    }

    private static async Task WaitForLogAsync(string text)
    {
        using var cts = new CancellationTokenSource(Wait);
        while (s_cluster.Logs.Find(text).Count == 0)
        {
            Assert.IsFalse(cts.IsCancellationRequested, $"Nothing logged '{text}' within {Wait.TotalSeconds} s.");
            await Task.Delay(10, CancellationToken.None);
        }
    }
}
