using System.Diagnostics;
using FlowActors.Client;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Steps;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace FlowActors.Tests.Flows;

/// <summary>
/// Failure paths of a step lose nothing silently and never wait behind message work: a publish that fails is retried,
/// delivered again or reported to the execution's caller; a stop and a container death get through while the step's
/// inbox is full and its component busy; timeouts that cannot work are refused at start.
/// </summary>
[TestClass]
public sealed class StepFailurePathTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Busy = BusyStep.Busy;
    // Room for one delivery again after a failed one (Orleans waits 1-2 s before it), not for many.
    private static readonly TimeSpan StreamGivesUpAfter = TimeSpan.FromSeconds(4);

    private static readonly CallFaults Faults = new();
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync(
            configure: silo =>
            {
                silo.AddIncomingGrainCallFilter(Faults);

                // The stream gives up on a delivery that keeps failing after this long (Orleans' default: 1 minute).
                silo.Services.Configure<StreamPullingAgentOptions>(FlowStreams.Provider, o => o.MaxEventDeliveryTime = StreamGivesUpAfter);
            },
            steps: o =>
            {
                o.ColdStartTimeout = TimeSpan.FromSeconds(15);
                o.InvokeTimeout = TimeSpan.FromSeconds(8);
                o.InboxCapacity = BusyStep.InboxCapacity;
                o.MaxBatchSize = 1;
            });
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
        await s_cluster.DeployAsync("transform", SampleDeployments.Transform());
        await s_cluster.DeployAsync("delay", SampleDeployments.Delay());
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    private static FlowDefinition TwoSteps() => FlowDefinition.Chain(
        "two steps",
        new StepDefinition("first", "echo", "echo"),
        new StepDefinition("second", "transform", "uppercase", """{"field":"name"}"""));

    [TestMethod]
    public async Task StepReportsLostDuringTheWarmUp_TheFlowAsksAgain_AndRunsLongBeforeItsReminder()
    {
        var flowId = await s_cluster.CreateFlowAsync(TwoSteps(), FlowMode.Realtime);
        var refusedBefore = Faults.Refused;
        Faults.DropReports(flowId);
        try
        {
            var clock = Stopwatch.StartNew();
            await s_cluster.Flow(flowId).StartAsync();

            // The shipped timings: the reminder would ask in a minute, the warm-up recheck asks every 5 s.
            await s_cluster.WaitForStatusAsync(flowId, s => s.Lifecycle == FlowLifecycle.Running, TimeSpan.FromSeconds(15), "running without a step's report");
            TestContext.WriteLine($"running after {clock.Elapsed.TotalSeconds:F1} s with every step report lost");
            Assert.IsGreaterThan(refusedBefore, Faults.Refused, "a step's report was lost");
            Assert.IsNotEmpty(s_cluster.Logs.Find($"Flow {flowId} is still warming up"), "the flow asked its steps again");
        }
        finally
        {
            Faults.AllowReports(flowId);
            await s_cluster.Flow(flowId).StopAsync();
        }
    }

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task RealtimePublishThatKeepsFailing_GivesTheExecutionAnErrorEvent_AndTheFlowServesOn()
    {
        await using var running = await s_cluster.StartRealtimeFlowAsync(TwoSteps(), Wait);
        var (flowId, events) = running;
        var next = FlowStreams.StepInputOf(flowId, "second");
        Faults.RefuseEnqueues(next);
        try
        {
            var lost = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"name":"ada"}"""));
            var error = (await events.WaitForAsync(1, e => e.ExecutionId == lost, Wait)).Single();

            Assert.AreEqual(FlowEventKind.Error, error.Kind);
            Assert.AreEqual("first", error.StepId);
            StringAssert.Contains(error.Error, "could not hand");
            StringAssert.Contains(error.Error, "step 'second'");
        }
        finally
        {
            Faults.AllowEnqueues(next);
        }

        var served = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"name":"bob"}"""));
        var output = (await events.WaitForAsync(1, e => e.ExecutionId == served, Wait)).Single();
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task OrdinaryPublishThatFailsForAWhile_FailsTheDelivery_AndTheStreamDeliversItAgain()
    {
        var flowId = await s_cluster.CreateFlowAsync(TwoSteps(), FlowMode.Ordinary);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        await s_cluster.Flow(flowId).StartAsync();
        var next = FlowStreams.StepInputOf(flowId, "second");
        var refusals = new StepOptions().PublishAttempts + 1; // more than one delivery's worth of attempts
        var refusedBefore = Faults.Refused;
        Faults.RefuseEnqueues(next, refusals);
        try
        {
            var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"name":"ada"}"""));
            var output = (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();

            Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
            Assert.AreEqual("ADA", FlowExecutionTests.Field(output, "name"));
            Assert.AreEqual(refusals, Faults.Refused - refusedBefore, "every refusal was met by a retry or a delivery again");
        }
        finally
        {
            Faults.AllowEnqueues(next);
            await s_cluster.Flow(flowId).StopAsync();
        }
    }

    [TestMethod]
    public async Task OrdinaryPublishThatKeepsFailing_OnceTheStreamGivesUp_GivesTheExecutionAnErrorEvent()
    {
        var flowId = await s_cluster.CreateFlowAsync(TwoSteps(), FlowMode.Ordinary);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        await s_cluster.Flow(flowId).StartAsync();
        var next = FlowStreams.StepInputOf(flowId, "second");
        Faults.RefuseEnqueues(next);
        try
        {
            var lost = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"name":"ada"}"""));
            var error = (await events.WaitForAsync(1, e => e.ExecutionId == lost, Wait)).Single();

            Assert.AreEqual(FlowEventKind.Error, error.Kind);
            Assert.AreEqual("first", error.StepId);
            StringAssert.Contains(error.Error, "its stream gave up delivering it");
            StringAssert.Contains(error.Error, "step 'second'");
        }
        finally
        {
            Faults.AllowEnqueues(next);
        }

        var served = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"name":"bob"}"""));
        var output = (await events.WaitForAsync(1, e => e.ExecutionId == served, Wait)).Single();
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task StopWhileTheInboxIsFull_DoesNotWaitForTheComponent_AndEveryMessageGetsAnEvent()
    {
        await using var running = await s_cluster.StartRealtimeFlowAsync(BusyStep.Flow(), Wait);
        var (flowId, events) = running;
        var executions = await BusyStep.FillInboxAsync(s_cluster, flowId);

        var stopping = Stopwatch.StartNew();
        await s_cluster.Flow(flowId).StopAsync();
        stopping.Stop();

        Assert.IsLessThan(Busy / 2, stopping.Elapsed, $"the stop took {stopping.Elapsed.TotalMilliseconds:0} ms: it waited behind the component");
        var results = await events.WaitForAsync(executions.Length, e => executions.Contains(e.ExecutionId), Wait);
        Assert.IsTrue(results.All(e => e.Kind == FlowEventKind.Error), "none of them was processed to the end");
        CollectionAssert.AreEquivalent(executions, results.Select(e => e.ExecutionId).ToArray(), "each message got its event: none was lost");
    }

    [TestMethod]
    public async Task ContainerDeathWhileTheInboxIsFull_IsHandledWithoutWaitingForTheComponent()
    {
        await using var running = await s_cluster.StartRealtimeFlowAsync(BusyStep.Flow(), Wait);
        var flowId = running.FlowId;
        var before = (await s_cluster.StepContainersAsync(flowId))["slow"]!;
        await BusyStep.FillInboxAsync(s_cluster, flowId);

        // What the runtime's death events do (ContainerDeathRouter): tell the step its container died.
        var reported = Stopwatch.StartNew();
        await s_cluster.Client.GetGrain<IStepGrain>(FlowStreams.StepKey(flowId, "slow")).ContainerDiedAsync(before);
        await s_cluster.WaitForStatusAsync(flowId, s => s.Steps.Single(p => p.StepId == "slow").ContainerId is { } id && id != before,
            Busy / 2, "a replacement container while the component call was still in flight");
        Assert.IsLessThan(Busy / 2, reported.Elapsed);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public void StepTimeouts_ThatDoNotFitInTheGrainCallTimeout_AreRefused_NamingBothSettings()
    {
        var validator = new StepOptionsValidator(Options.Create(new SiloMessagingOptions()));
        Assert.IsTrue(validator.Validate(null, new StepOptions()).Succeeded, "the defaults fit in Orleans' default ResponseTimeout");

        var refused = validator.Validate(null, new StepOptions { ColdStartTimeout = TimeSpan.FromSeconds(20), InvokeTimeout = TimeSpan.FromSeconds(30) });

        Assert.IsTrue(refused.Failed);
        StringAssert.Contains(refused.FailureMessage, "FlowActors:Steps:ColdStartTimeout");
        StringAssert.Contains(refused.FailureMessage, "FlowActors:Steps:InvokeTimeout");
        StringAssert.Contains(refused.FailureMessage, "SiloMessagingOptions.ResponseTimeout");
    }

    [TestMethod]
    public void ReconcilePeriod_BelowTheMinimumReminderPeriod_IsRefused_NamingBothSettings()
    {
        var validator = new FlowOptionsValidator(Options.Create(new ReminderOptions()));
        Assert.IsTrue(validator.Validate(null, new FlowOptions()).Succeeded);

        var refused = validator.Validate(null, new FlowOptions { ReconcilePeriod = TimeSpan.FromSeconds(5) });

        Assert.IsTrue(refused.Failed);
        StringAssert.Contains(refused.FailureMessage, "FlowActors:Flows:ReconcilePeriod");
        StringAssert.Contains(refused.FailureMessage, "ReminderOptions.MinimumReminderPeriod");
    }
}
