using FlowActors.Bench.Delivery;
using FlowActors.Client.Events;
using FlowActors.Grains.Interfaces.Delivery;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;

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

    private async Task<ChaosCount> RunAsync(FlowMode mode, ChaosPlan plan, DeliveryPolicy? delivery)
    {
        var ledger = DeliveryChaos.NewLedger();
        try
        {
            var flowId = await s_cluster.CreateFlowAsync(DeliveryChaos.Flow(ledger, plan.MessageTime, delivery), mode);
            await using var events = await FlowEventSubscription.SubscribeAsync(s_cluster.Client, flowId, capacity: (plan.Messages * 2) + 100);
            await s_cluster.Flow(flowId).StartAsync();
            if (mode == FlowMode.Realtime)
            {
                await s_cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Settle);
            }

            var count = await DeliveryChaos.RunAsync(
                s_cluster.Flow(flowId), events, ledger, plan, () => s_cluster.Logs.Find($"Flow {flowId} step").Count(e => e.Message.Contains("dropped a duplicate", StringComparison.Ordinal)),
                Settle, TestContext.WriteLine);
            TestContext.WriteLine($"{mode}: {count}");
            await s_cluster.Flow(flowId).StopAsync();
            return count;
        }
        finally
        {
            Directory.Delete(ledger, recursive: true);
        }
    }

    private static void AssertEffectsExactlyOnce(ChaosCount count)
    {
        Assert.AreEqual(0, count.DuplicateOutputs, $"a message came out twice: {count}");
        Assert.AreEqual(0, count.DoubleEffects, $"an effect happened twice: {count}");
        Assert.AreEqual(0, count.CompletedWithoutEffect, $"a completed message has no effect: {count}");
        Assert.AreEqual(count.Completed, count.Effects, $"an effect without a completed message: {count}");
    }
}
