using System.Diagnostics;
using FlowActors.Streaming;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Streaming;

[TestClass]
public sealed class FastStreamsTests
{
    [TestMethod]
    public async Task FastStreams_DeliverEachStreamsMessagesInTheOrderTheyWerePublished()
    {
        await using var cluster = await FastStreamsCluster.StartAsync();
        var keys = Enumerable.Range(0, 5).Select(i => FastStreamsCluster.NewKey($"order{i}")).ToArray();
        var probes = keys.Select(key => ProbeSink.Expect(key, 200)).ToArray();

        for (var i = 0; i < 200; i++)
        {
            foreach (var key in keys)
            {
                await cluster.Stream(key).OnNextAsync(i);
            }
        }

        foreach (var probe in probes)
        {
            CollectionAssert.AreEqual(Enumerable.Range(0, 200).ToArray(), (await probe.Received).ToArray());
        }
    }

    [TestMethod]
    public async Task FastStreams_LoseNoMessageOfABurstOf10000()
    {
        await using var cluster = await FastStreamsCluster.StartAsync();
        var keys = Enumerable.Range(0, 10).Select(i => FastStreamsCluster.NewKey($"burst{i}")).ToArray();
        var probes = keys.Select(key => ProbeSink.Expect(key, 1000)).ToArray();

        await Task.WhenAll(keys.SelectMany(key => Enumerable.Range(0, 1000).Select(i => cluster.Stream(key).OnNextAsync(i))));

        foreach (var probe in probes)
        {
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 1000).ToArray(), (await probe.Received).ToArray());
        }
    }

    [TestMethod]
    public async Task FastStreams_DeliverAfterAnIdlePeriodLongerThanTheStreamInactivityPeriod()
    {
        var inactivity = TimeSpan.FromMilliseconds(300);
        await using var cluster = await FastStreamsCluster.StartAsync(configure: streams =>
            streams.ConfigurePullingAgent(agent => agent.Configure(options => options.StreamInactivityPeriod = inactivity)));
        var key = FastStreamsCluster.NewKey("idle");
        var first = ProbeSink.Expect(key, 1);
        await cluster.Stream(key).OnNextAsync(1);
        await first.Received;

        // The idle time is the behaviour under test, not a synchronisation: the agent drops the stream from its
        // pub/sub cache after the inactivity period and must register it again for the next message.
        await Task.Delay(inactivity * 5);
        var second = ProbeSink.Expect(key, 1);
        await cluster.Stream(key).OnNextAsync(2);

        CollectionAssert.AreEqual(new[] { 2 }, (await second.Received).ToArray());
    }

    [TestMethod]
    public async Task FastStreams_ActivateAnImplicitlySubscribedStringKeyedGrain()
    {
        await using var cluster = await FastStreamsCluster.StartAsync();
        var key = FastStreamsCluster.NewKey("implicit");
        var probe = ProbeSink.Expect(key, 1);

        await cluster.Stream(key).OnNextAsync(42);

        CollectionAssert.AreEqual(new[] { 42 }, (await probe.Received).ToArray());
    }

    [TestMethod]
    public async Task FastStreams_DeliverFromAProducerOnOneSiloToAConsumerOnAnother()
    {
        await using var cluster = await FastStreamsCluster.StartAsync(silos: 2);
        var (producer, consumerKey) = await PlaceOnDifferentSilosAsync(cluster);
        var probe = ProbeSink.Expect(consumerKey, 100);

        await producer.PublishAsync(FastStreamsCluster.Provider, consumerKey, 0, 100);

        CollectionAssert.AreEqual(Enumerable.Range(0, 100).ToArray(), (await probe.Received).ToArray());
    }

    [TestMethod]
    public async Task FastStreams_LetASiloStopWithinSecondsWhileItsReadsWait()
    {
        await using var cluster = await FastStreamsCluster.StartAsync(silos: 2, configure: streams =>
            streams.ConfigureFastStreams(options => options.MaxWait = TimeSpan.FromSeconds(10)));
        var key = FastStreamsCluster.NewKey("stop");
        var probe = ProbeSink.Expect(key, 1);
        await cluster.Stream(key).OnNextAsync(1);
        await probe.Received;

        // Every agent now waits in a read that would last 10 s unless the stop cancels it.
        var stopwatch = Stopwatch.StartNew();
        await cluster.StopSiloAsync(cluster.Silos[1]);

        Assert.IsLessThan(TimeSpan.FromSeconds(10), stopwatch.Elapsed, $"Stopping a silo took {stopwatch.Elapsed}.");
    }

    private static async Task<(IStreamProducerGrain Producer, string ConsumerKey)> PlaceOnDifferentSilosAsync(Orleans.TestingHost.InProcessTestCluster cluster)
    {
        var producer = cluster.Client.GetGrain<IStreamProducerGrain>(FastStreamsCluster.NewKey("producer"));
        var consumerKey = FastStreamsCluster.NewKey("consumer");
        var consumer = cluster.Client.GetGrain<IStreamProbeGrain>(consumerKey);
        var producerSilo = await Placement.OnAsync(cluster.Silos[0], producer.GetSiloAsync);
        var consumerSilo = await Placement.OnAsync(cluster.Silos[1], consumer.GetSiloAsync);
        Assert.AreNotEqual(producerSilo, consumerSilo, "the placement hints put the producer and the consumer on different silos");
        return (producer, consumerKey);
    }
}
