using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Delivery;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace FlowActors.Tests.Flows;

/// <summary>
/// A slow component whose process stalls (SIGSTOP) for longer than the grain-call timeout, while its step's inbox is
/// full and the stream waits: deliveries give up within the timeout and come again, calls time out and are retried,
/// batches shrink to the component's pace; nothing is lost, nothing comes out twice, each effect happens once.
/// </summary>
[TestClass]
public sealed class StalledStepTests
{
    // Orleans' grain-call timeout in this cluster, scaled down from 30 s; the stall outlasts it.
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(5);

    private static readonly DeliveryPolicy PatientRetries = new(MaxAttempts: 8, FirstRetryDelay: TimeSpan.FromMilliseconds(200), MaxRetryDelay: TimeSpan.FromSeconds(2));

    private static FlowCluster s_cluster = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync(
            configure: silo => silo.Services.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout),
            steps: o =>
            {
                o.ColdStartTimeout = TimeSpan.FromSeconds(2);
                o.InvokeTimeout = TimeSpan.FromSeconds(2);
                o.InboxCapacity = 32;
                o.MaxBatchSize = 32;
            });
        await s_cluster.DeployAsync("counting", SampleDeployments.Counting());
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    // 150 messages: 32 processed before the stall, 32 in the full inbox, the rest waiting in the stream through it.
    // (The realtime form sent 400, which added 7 s of processing after the stall and proved nothing more.)
    [TestMethod]
    [DataRow(FlowMode.Realtime, 150)]
    [DataRow(FlowMode.Ordinary, 150)]
    public async Task SlowComponent_StalledLongerThanTheGrainCallTimeout_LosesNothing_AndEffectsHappenOnce(FlowMode mode, int messages)
    {
        // 30 ms per message (300 ms scaled down), stalled for 1.4 × the grain-call timeout once it is busy.
        var plan = new ChaosPlan(
            Messages: messages, MessageTime: TimeSpan.FromMilliseconds(30), StallAfter: TimeSpan.FromSeconds(1), StallFor: ResponseTimeout * 1.4);

        var count = await DeliveryChaosTests.RunAsync(s_cluster, mode, plan, PatientRetries, TestContext);

        Assert.AreEqual(0, count.Lost, count.ToString());
        Assert.AreEqual(plan.Messages, count.Completed, count.ToString());
        DeliveryChaosTests.AssertEffectsExactlyOnce(count);
    }
}
