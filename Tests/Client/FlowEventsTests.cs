using System.Runtime.CompilerServices;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Client.Events;
using FlowActors.Client.Hosting;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Client;

/// <summary>
/// Following flows and waiting for replies through the SDK, against an in-process cluster running real component
/// processes: the defects issue 9 found in the client, each reproduced, and the ordering "follow, then send" promises.
/// </summary>
[TestClass]
public sealed class FlowEventsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static FlowCluster s_cluster = null!;
    private static FlowActorsClient s_client = null!;
    private static string s_flowId = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync();
        s_client = new FlowActorsClient(s_cluster.Client, new FlowActorsClientOptions());
        await SdkFlows.DeploySamplesAsync(s_client);
        s_flowId = await SdkFlows.StartAsync(s_client, SdkFlows.Shout(), FlowMode.Realtime);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        await s_client.DisposeAsync();
        await s_cluster.DisposeAsync();
    }

    [TestMethod]
    public async Task Replies_ASubscriptionThatFailed_IsTriedAgain_NotCachedForGood()
    {
        // The first subscription fails (as one made while the silo restarts would); later ones are real.
        var attempts = 0;
        await using var replies = new FlowReplies(s_cluster.Client, async (flowId, onEvent) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                throw new InvalidOperationException("the silo is restarting");
            }

            var stream = s_cluster.Client.GetStreamProvider(FlowStreams.Provider).GetStream<FlowEvent>(FlowStreams.EventsOf(flowId));
            var handle = await stream.SubscribeAsync((e, _) => onEvent(e));
            return new Unsubscribing(handle);
        });

        await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => replies.SendAndWaitAsync(s_flowId, Message("ada"), Wait));
        var reply = await replies.SendAndWaitAsync(s_flowId, Message("bob"), Wait);

        Assert.AreEqual("BOB", NameOf(reply));
        Assert.AreEqual(2, attempts);
    }

    [TestMethod]
    public async Task Replies_AnUntilThatThrows_FailsItsOwnWait_AndLaterWaitersOnTheFlowStillGetTheirReplies()
    {
        await using var replies = new FlowReplies(s_cluster.Client);

        var failing = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => replies.SendAndWaitAsync(
            s_flowId, Message("ada"), Wait, until: _ => throw new InvalidOperationException("the caller's predicate broke")));
        var later = await replies.SendAndWaitAsync(s_flowId, Message("bob"), Wait);

        Assert.AreEqual("the caller's predicate broke", failing.Message);
        Assert.AreEqual("BOB", NameOf(later), "the flow's subscription serves the next waiter");
    }

    [TestMethod]
    public async Task Follow_EndingTheEnumeration_LetsGoOfTheFollower_EvenWhileTheTokenLivesOn()
    {
        // A host's stopping token lives as long as the host: a registration left on it keeps every ended follower alive.
        using var hostLifetime = new CancellationTokenSource();

        var follower = await FollowOneAndEndAsync(hostLifetime.Token);

        // This continuation may run inline under the follower's last frames: leave them before looking.
        await Task.Yield();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.IsFalse(follower.IsAlive, "the ended follower is still referenced (by its registration on the token)");
        GC.KeepAlive(hostLifetime);
    }

    [TestMethod]
    public async Task Follow_AReaderThatFallsBehind_GetsTheBufferedEvents_ThenFollowOverflowException()
    {
        // A flow of its own: a new subscription may also get the last events published before it.
        var flowId = await SdkFlows.StartAsync(s_client, SdkFlows.Shout(), FlowMode.Realtime);
        await using var client = new FlowActorsClient(s_cluster.Client, new FlowActorsClientOptions { FollowBufferCapacity = 5 });
        using var cts = new CancellationTokenSource(Wait);
        var events = client.FollowAsync(flowId, cts.Token);
        var subscription = await ((FlowFollower)events).Subscribed;

        // Nobody reads while twenty outputs arrive.
        for (var i = 0; i < 20; i++)
        {
            Assert.IsFalse((await client.SendAndWaitAsync(flowId, $$"""{"name":"n{{i}}"}""", Wait)).TimedOut);
        }

        await PollAsync(() => subscription.Overflowed, "the sixth event found the buffer full");
        var read = new List<FlowEvent>();
        var overflow = await Assert.ThrowsExactlyAsync<FollowOverflowException>(async () =>
        {
            await foreach (var e in events)
            {
                read.Add(e);
            }
        });

        Assert.HasCount(5, read, "the buffered events come first");
        CollectionAssert.AreEqual(new[] { "N0", "N1", "N2", "N3", "N4" }, read.Select(e => NameOf(e)).ToArray(), string.Join(", ", read.Select(e => $"{e.Kind} {e.StepId} {e.Message?.Body}")));
        StringAssert.Contains(overflow.Message, "fell more than 5 events behind");
        await s_client.StopAsync(flowId);
    }

    [TestMethod]
    public async Task Follow_ThenSendThroughTheSameClient_NeverMissesTheEvents_AndTheEventsAreReadOnce()
    {
        await using var client = new FlowActorsClient(s_cluster.Client, new FlowActorsClientOptions());
        using var cts = new CancellationTokenSource(Wait);

        // No await between following and sending: the send waits for the subscription.
        var events = client.FollowAsync(s_flowId, cts.Token);
        var executionId = await client.SendAsync(s_flowId, """{"name":"cy"}""");

        var first = await events.FirstAsync(e => e.ExecutionId == executionId, cts.Token);
        Assert.AreEqual("CY", NameOf(first));
        Assert.ThrowsExactly<InvalidOperationException>(() => events.GetAsyncEnumerator());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> FollowOneAndEndAsync(CancellationToken hostLifetime)
    {
        var events = s_client.FollowAsync(s_flowId, hostLifetime);
        var executionId = await s_client.SendAsync(s_flowId, """{"name":"dee"}""");
        await foreach (var e in events)
        {
            if (e.ExecutionId == executionId)
            {
                break;
            }
        }

        return new WeakReference(events);
    }

    private static async Task PollAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Wait);
        while (!condition())
        {
            Assert.IsFalse(deadline.IsCancellationRequested, $"Waited {Wait.TotalSeconds} s for: {what}.");
            await Task.Delay(10, CancellationToken.None);
        }
    }

    private static FlowMessage Message(string name) => FlowMessage.Create($$"""{"name":"{{name}}"}""");

    private static string? NameOf(FlowEvent? e) =>
        e?.Message is { } message ? JsonDocument.Parse(message.Body).RootElement.GetProperty("name").GetString() : null;

    private sealed class Unsubscribing(StreamSubscriptionHandle<FlowEvent> handle) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await handle.UnsubscribeAsync();
    }
}
