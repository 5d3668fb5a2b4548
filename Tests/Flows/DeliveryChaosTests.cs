using FlowActors.Client;
using FlowActors.Client.Events;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Delivery;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace FlowActors.Tests.Flows;

/// <summary>
/// Every message accounted for under trouble, counted end to end (short forms; <c>bench -- delivery</c> runs the long
/// ones): each message sent completes or is dead-lettered, none is lost, none comes out twice, and the counting
/// component's ledger holds each completed message's effect exactly once. Real component processes, a real silo.
/// </summary>
[TestClass]
public sealed class DeliveryChaosTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    // Quick retries, so a run fits in the suite: 4 tries, 50 ms doubling to 400 ms.
    private static readonly DeliveryPolicy QuickRetries = new(MaxAttempts: 4, FirstRetryDelay: TimeSpan.FromMilliseconds(50), MaxRetryDelay: TimeSpan.FromMilliseconds(400));

    // Retries that outlast a container replacement (about a second here): 8 tries, 100 ms doubling to 1 s.
    private static readonly DeliveryPolicy PatientRetries = new(MaxAttempts: 8, FirstRetryDelay: TimeSpan.FromMilliseconds(100), MaxRetryDelay: TimeSpan.FromSeconds(1));

    private static FlowCluster s_cluster = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync();
        await s_cluster.DeployAsync("counting", SampleDeployments.Counting());
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    [DataRow(FlowMode.Realtime)]
    [DataRow(FlowMode.Ordinary)]
    public async Task TransientFailures_CompleteAfterRetries_AndPoisonMessagesAreDeadLettered(FlowMode mode)
    {
        // Every third message is rebounded twice before it goes through; every 100th is poison.
        var plan = new ChaosPlan(Messages: 300, MessageTime: TimeSpan.Zero, TransientEvery: 3, TransientTries: 2, PoisonEvery: 100);

        var count = await RunAsync(mode, plan, QuickRetries);

        Assert.AreEqual(0, count.Lost, count.ToString());
        Assert.AreEqual(plan.ExpectedPoison, count.DeadLettered, count.ToString());
        Assert.AreEqual(plan.Messages - plan.ExpectedPoison, count.Completed, count.ToString());
        AssertEffectsExactlyOnce(count);
    }

    [TestMethod]
    [DataRow(FlowMode.Realtime, 2000)]
    [DataRow(FlowMode.Ordinary, 400)]
    public async Task ComponentProcessesKilledEveryFewSeconds_LoseNothing_AndEffectsHappenOnce(FlowMode mode, int messages)
    {
        var plan = new ChaosPlan(Messages: messages, MessageTime: TimeSpan.FromMilliseconds(2), KillEvery: TimeSpan.FromSeconds(1.5));

        var count = await RunAsync(mode, plan, PatientRetries);

        Assert.IsGreaterThan(0, count.Kills, $"no process was killed: {count}");
        Assert.AreEqual(0, count.Lost, count.ToString());
        Assert.AreEqual(plan.Messages, count.Completed, count.ToString());
        AssertEffectsExactlyOnce(count);
    }

    [TestMethod]
    [DataRow(FlowMode.Realtime)]
    [DataRow(FlowMode.Ordinary)]
    public async Task MessageDeliveredAgain_IsDroppedByTheStepThatCompletedIt_AndCounted(FlowMode mode)
    {
        var ledger = DeliveryChaos.NewLedger();
        try
        {
            var flowId = await s_cluster.CreateFlowAsync(DeliveryChaos.Flow(ledger, TimeSpan.Zero), mode);
            await using var events = await s_cluster.SubscribeAsync(flowId);
            await s_cluster.Flow(flowId).StartAsync();
            var message = FlowMessage.Create("""{"n":1}""");
            var input = s_cluster.Client.GetStreamProvider(FlowStreams.Provider).GetStream<FlowMessage>(FlowStreams.StepInputOf(flowId, "count"));

            // What a stream that timed out a delivery does: the same message (the same id) again, after the first completed.
            await input.OnNextAsync(message);
            await events.WaitForAsync(1, e => e.ExecutionId == message.ExecutionId, Settle);
            await input.OnNextAsync(message);
            await WaitForAsync(() => DuplicatesDropped(s_cluster, flowId) == 1, "the step drops the second delivery");
            var afterwards = FlowMessage.Create("""{"n":2}""");
            await input.OnNextAsync(afterwards);
            await events.WaitForAsync(1, e => e.ExecutionId == afterwards.ExecutionId, Settle);

            Assert.HasCount(1, File.ReadAllLines(Path.Combine(ledger, "effects.log")).Where(id => id == message.Id), "one effect");
            Assert.IsFalse(File.Exists(Path.Combine(ledger, "repeats.log")), "the component never saw it again");
            Assert.AreEqual(1, DuplicatesDropped(s_cluster, flowId));
            await s_cluster.Flow(flowId).StopAsync();
        }
        finally
        {
            Directory.Delete(ledger, recursive: true);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Settle);
        while (!condition())
        {
            Assert.IsFalse(deadline.IsCancellationRequested, $"timed out waiting until {what}");
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private Task<ChaosCount> RunAsync(FlowMode mode, ChaosPlan plan, DeliveryPolicy? delivery) => RunAsync(s_cluster, mode, plan, delivery, TestContext);

    /// <summary>Runs <paramref name="plan"/> against a new flow of the chaos shape on <paramref name="cluster"/>, and prints the counts.</summary>
    internal static async Task<ChaosCount> RunAsync(FlowCluster cluster, FlowMode mode, ChaosPlan plan, DeliveryPolicy? delivery, TestContext context)
    {
        var ledger = DeliveryChaos.NewLedger();
        try
        {
            var flowId = await cluster.CreateFlowAsync(DeliveryChaos.Flow(ledger, plan.MessageTime, delivery), mode);
            await using var events = await FlowEventSubscription.SubscribeAsync(cluster.Client, flowId, capacity: (plan.Messages * 2) + 100);
            await cluster.Flow(flowId).StartAsync();
            if (mode == FlowMode.Realtime)
            {
                await cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Settle);
            }

            var count = await DeliveryChaos.RunAsync(cluster.Flow(flowId), events.ReadAllAsync, ledger, plan, () => DuplicatesDropped(cluster, flowId), Settle, context.WriteLine);
            context.WriteLine($"{mode}: {count}");
            if (count.Lost > 0 || count.Failed > 0)
            {
                // What the steps said about it, grouped: the first thing to read when a run loses a message.
                foreach (var said in cluster.Logs.Find($"Flow {flowId}").Where(e => e.Level >= LogLevel.Warning).GroupBy(e => e.EventId).Select(g => g.Last()))
                {
                    context.WriteLine($"  [{said.EventId}] {said.Message}");
                }
            }

            await cluster.Flow(flowId).StopAsync();
            return count;
        }
        finally
        {
            Directory.Delete(ledger, recursive: true);
        }
    }

    /// <summary>What the flow's steps logged as dropped duplicates (until the flow counters read StepOutputs.DuplicatesDropped).</summary>
    private static int DuplicatesDropped(FlowCluster cluster, string flowId) =>
        cluster.Logs.Find($"Flow {flowId} step").Count(e => e.Message.Contains("dropped a duplicate", StringComparison.Ordinal));

    internal static void AssertEffectsExactlyOnce(ChaosCount count)
    {
        Assert.AreEqual(0, count.DuplicateOutputs, $"a message came out twice: {count}");
        Assert.AreEqual(0, count.DoubleEffects, $"an effect happened twice: {count}");
        Assert.AreEqual(0, count.CompletedWithoutEffect, $"a completed message has no effect: {count}");
        Assert.AreEqual(count.Completed, count.Effects, $"an effect without a completed message: {count}");
    }
}
