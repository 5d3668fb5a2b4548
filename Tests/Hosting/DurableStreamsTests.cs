using System.Diagnostics;
using Azure.Storage.Queues;
using FlowActors.Client;
using FlowActors.Client.Hosting;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;

namespace FlowActors.Tests.Hosting;

/// <summary>
/// In the Azure profile an ordinary flow's hops go over Azure Queue streams (<see cref="FlowStreams.DurableProvider"/>)
/// and a real-time flow's over the fast streams: seen from the storage account, not from the runtime's own word.
/// </summary>
[TestClass]
[TestCategory("Azure")]
public sealed class DurableStreamsTests
{
    private const int Messages = 20;

    [TestMethod]
    public async Task OrdinaryFlow_RunsOverAzureQueues_RealtimeFlow_DoesNot()
    {
        await using var cluster = await AzureSiloCluster.StartAsync(1);
        await using var sdk = await SdkHost.StartAsync(cluster.ConfigureClient);
        await sdk.Client.DeployComponentAsync("delay", SampleDeployments.Delay());
        await sdk.Client.DeployComponentAsync("echo", SampleDeployments.Echo());
        // 50 ms a message at the first step: messages wait for it, and a waiting message of an ordinary flow waits in a queue.
        var slow = FlowDefinition.Chain(
            "slow",
            new StepDefinition("wait", "delay", "delay", """{"ms":50}"""),
            new StepDefinition("answer", "echo", "echo"));
        var queues = new AzureResourceNames(cluster.Prefix).StreamQueues(8)
            .Select(name => new QueueServiceClient(cluster.ConnectionString).GetQueueClient(name))
            .ToArray();

        var realtime = await SdkFlows.StartAsync(sdk.Client, slow, FlowMode.Realtime, "rt");
        var realtimePeak = await RunAsync(sdk, realtime, queues);
        Assert.AreEqual(0, realtimePeak, "a real-time flow's messages went through the Azure queues");

        var ordinary = await SdkFlows.StartAsync(sdk.Client, slow, FlowMode.Ordinary, "ord");
        var ordinaryPeak = await RunAsync(sdk, ordinary, queues);
        Assert.IsGreaterThan(0, ordinaryPeak, "no message of the ordinary flow was ever seen in the Azure queues");

        // A delivered message is deleted from its queue: nothing stays behind once every output arrived.
        await WaitAsync(async () => await CountAsync(queues) == 0, TimeSpan.FromSeconds(30), "the Azure queues still hold messages");
        TestContext.WriteLine($"messages seen in the Azure queues at once: real-time {realtimePeak}, ordinary {ordinaryPeak}");
    }

    public TestContext TestContext { get; set; } = null!;

    /// <summary>Sends <see cref="Messages"/> messages and waits for their outputs; returns the most messages the queues held at once.</summary>
    private static async Task<int> RunAsync(SdkHost sdk, string flowId, QueueClient[] queues)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = await sdk.Client.FollowSubscribedAsync(flowId, cancel.Token);
        var outputs = 0;
        var collecting = Task.Run(async () =>
        {
            await foreach (var e in events.WithCancellation(cancel.Token))
            {
                Assert.AreEqual(FlowEventKind.Output, e.Kind, e.Error);
                if (++outputs == Messages)
                {
                    return;
                }
            }
        });

        for (var i = 0; i < Messages; i++)
        {
            await sdk.Client.SendAsync(flowId, $$"""{"n":{{i}}}""");
        }

        var peak = 0;
        while (!collecting.IsCompleted)
        {
            peak = Math.Max(peak, await CountAsync(queues));
            await Task.WhenAny(collecting, Task.Delay(20));
        }

        await collecting;
        return peak;
    }

    /// <summary>Messages in the queues, those a pulling agent holds (invisible until it deletes them) included.</summary>
    private static async Task<int> CountAsync(QueueClient[] queues)
    {
        var counts = await Task.WhenAll(queues.Select(async q => (await q.GetPropertiesAsync()).Value.ApproximateMessagesCount));
        return counts.Sum();
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.IsLessThan(timeout, clock.Elapsed, failure);
            await Task.Delay(100);
        }
    }
}
