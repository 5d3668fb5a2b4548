using FlowActors.Client;
using FlowActors.Client.Events;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Triggers;
using FlowActors.Tests.Infrastructure;
using FlowActors.Tests.Triggers.Fakes;
using static FlowActors.Tests.Triggers.TriggerCounting;

namespace FlowActors.Tests.Triggers;

/// <summary>
/// The Service Bus trigger's real receiving and settling code against a FAKE namespace (the SDK's test seams; no Service
/// Bus runs here), feeding real flows of real component processes in an embedded-profile cluster.
/// </summary>
[TestClass]
public sealed class ServiceBusTriggerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        s_cluster = await TriggerCluster.StartAsync();
        await TriggerCluster.DeployAsync(s_cluster);
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    [DataRow(FlowMode.Ordinary)]
    [DataRow(FlowMode.Realtime)]
    public async Task ThousandMessages_AreAllHandedToTheFlowAndCompleted_NoneLost(FlowMode mode)
    {
        const int Sent = 1000;
        var bus = new FakeServiceBus(lockDuration: TimeSpan.FromSeconds(10));
        var queue = bus.Entity("orders");
        for (var n = 0; n < Sent; n++)
        {
            queue.Send($$"""{"n":{{n}}}""");
        }

        var (flowId, events) = await StartTriggeredFlowAsync(mode, new ServiceBusTriggerSettings(bus.ConnectionString, Queue: "orders", Concurrency: 8, Prefetch: 16));
        await using (events)
        {
            var outputs = await CollectAsync(events, Sent, Wait);
            await WaitUntilAsync(() => queue.Count(FakeMessageState.Completed) == Sent, Wait, () => $"{queue.Count(FakeMessageState.Completed)} completed");
            AssertNoneLost($"{mode} flow", Sent, outputs, queue);
            Assert.AreEqual(0, queue.Count(FakeMessageState.DeadLettered));
            var info = await Trigger(flowId).GetAsync();
            Assert.AreEqual(Sent, info!.Completed, "every message completed once the flow accepted it");
            Assert.IsTrue(info.Receiving);
        }

        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task APoisonMessage_IsDeadLetteredAfterItsFirstDelivery_WithAReasonThatSaysWhatToFix()
    {
        var bus = new FakeServiceBus();
        var queue = bus.Entity("in");
        queue.Send("this is not JSON", messageId: "poison");
        queue.Send("""{"n":0}""", messageId: "good");

        var (flowId, events) = await StartTriggeredFlowAsync(FlowMode.Ordinary, new ServiceBusTriggerSettings(bus.ConnectionString, Queue: "in"));
        await using (events)
        {
            var outputs = await CollectAsync(events, 1, Wait);
            Assert.HasCount(1, outputs);
            await WaitUntilAsync(() => queue.Count(FakeMessageState.DeadLettered) == 1 && queue.Count(FakeMessageState.Completed) == 1, Wait, () => "poison settled");
        }

        var poison = queue.Messages.Single(m => m.Sent.MessageId == "poison");
        Assert.AreEqual(FakeMessageState.DeadLettered, poison.State);
        Assert.AreEqual(1, poison.DeliveryCount, "dead-lettered at its first delivery, not after retries");
        Assert.AreEqual("BodyNotJson", poison.DeadLetterReason);
        StringAssert.Contains(poison.DeadLetterDescription, "not valid JSON");
        StringAssert.Contains(poison.DeadLetterDescription, "send the body as UTF-8 JSON");
        Assert.AreEqual(1, (await Trigger(flowId).GetAsync())!.DeadLettered);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task AMessageTheFlowRefusesForNow_IsAbandoned_RedeliveredAsDeliveryTwo_AndThenCompleted()
    {
        var bus = new FakeServiceBus();
        var queue = bus.Entity("in");
        queue.Send("""{"n":0,"busy":true}""", messageId: "busy");
        var flowId = await s_cluster.CreateFlowAsync(TriggerCluster.Echo(), FlowMode.Ordinary);
        var refused = 0;
        SendFaults.For(flowId, message =>
            message.Body.Contains("busy", StringComparison.Ordinal) && Interlocked.Increment(ref refused) == 1
                ? throw new TimeoutException("the flow's backlog is full (test): try later")
                : Task.CompletedTask);

        var events = await StartAsync(flowId, new ServiceBusTriggerSettings(bus.ConnectionString, Queue: "in"));
        await using (events)
        {
            var outputs = await CollectAsync(events, 1, Wait);
            Assert.HasCount(1, outputs, "handed over once it was accepted, exactly once");
            Assert.AreEqual("2", outputs[0].Message!.Headers[ServiceBusHeaders.DeliveryCount], "the output came from the second delivery");
        }

        await WaitUntilAsync(() => queue.Count(FakeMessageState.Completed) == 1, Wait, () => "completed");
        var message = queue.Messages.Single();
        Assert.AreEqual(2, message.DeliveryCount);
        Assert.AreEqual(1, message.Abandons);
        Assert.IsNull(message.DeadLetterReason);
        SendFaults.Clear(flowId);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task ALock_IsRenewedWhileTheFlowTakesLongerThanTheLock_SoTheMessageIsDeliveredOnce()
    {
        var bus = new FakeServiceBus(lockDuration: TimeSpan.FromSeconds(1));
        var queue = bus.Entity("slow");
        queue.Send("""{"n":0}""");
        var flowId = await s_cluster.CreateFlowAsync(TriggerCluster.Echo(), FlowMode.Ordinary);
        SendFaults.For(flowId, _ => Task.Delay(TimeSpan.FromSeconds(3)));

        var events = await StartAsync(flowId, new ServiceBusTriggerSettings(bus.ConnectionString, Queue: "slow"));
        await using (events)
        {
            Assert.HasCount(1, await CollectAsync(events, 1, Wait));
        }

        await WaitUntilAsync(() => queue.Count(FakeMessageState.Completed) == 1, Wait, () => "completed");
        var message = queue.Messages.Single();
        Assert.AreEqual(1, message.DeliveryCount, "the lock never expired");
        Assert.IsGreaterThanOrEqualTo(2, message.Renewals, "renewed while the flow held it (3 s against a 1 s lock)");
        SendFaults.Clear(flowId);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task Sessions_KeepTheirOrderThroughARealtimeFlow_EvenWhenAMessageIsRefusedOnce()
    {
        const int Sessions = 4;
        const int PerSession = 50;
        var bus = new FakeServiceBus();
        var queue = bus.Entity("sessions");
        for (var i = 0; i < PerSession; i++)
        {
            for (var s = 0; s < Sessions; s++)
            {
                queue.Send($$"""{"n":{{(s * PerSession) + i}},"seq":{{i}}}""", sessionId: $"customer-{s}");
            }
        }

        var flowId = await s_cluster.CreateFlowAsync(TriggerCluster.Echo(), FlowMode.Realtime);
        var refused = 0;
        SendFaults.For(flowId, message =>
            message.Body.Contains("\"n\":25,", StringComparison.Ordinal) && Interlocked.Increment(ref refused) == 1
                ? throw new TimeoutException("refused once (test)")
                : Task.CompletedTask);
        var events = await StartAsync(flowId, new ServiceBusTriggerSettings(bus.ConnectionString, Queue: "sessions", Sessions: true, Concurrency: 2));
        await using (events)
        {
            var outputs = await CollectAsync(events, Sessions * PerSession, Wait);
            AssertNoneLost("sessions", Sessions * PerSession, outputs, queue);
            foreach (var session in outputs.GroupBy(o => o.Message!.Headers[ServiceBusHeaders.SessionId]))
            {
                var order = session.Select(o => System.Text.Json.JsonDocument.Parse(o.Message!.Body).RootElement.GetProperty("seq").GetInt32()).ToArray();
                CollectionAssert.AreEqual(Enumerable.Range(0, PerSession).ToArray(), order, $"session {session.Key} came out of order: {string.Join(",", order)}");
            }
        }

        Assert.AreEqual(2, refused, "message 25 was refused at its first attempt and accepted at its second");
        Assert.AreEqual(2, queue.Messages.Single(m => m.Body.Contains("\"n\":25,", StringComparison.Ordinal)).DeliveryCount, "and delivered again");
        SendFaults.Clear(flowId);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task StoppingTheFlow_StopsReceiving_AndStartingItResumes()
    {
        var bus = new FakeServiceBus();
        var queue = bus.Entity("onoff");
        queue.Send("""{"n":0}""");
        var (flowId, events) = await StartTriggeredFlowAsync(FlowMode.Ordinary, new ServiceBusTriggerSettings(bus.ConnectionString, Queue: "onoff"));
        await using (events)
        {
            Assert.HasCount(1, await CollectAsync(events, 1, Wait));
        }

        await s_cluster.Flow(flowId).StopAsync();
        Assert.IsFalse((await Trigger(flowId).GetAsync())!.Receiving);
        queue.Send("""{"n":1}""");
        await Task.Delay(TimeSpan.FromSeconds(1)); // a receiver that still ran would take it within its 1 s receive wait
        Assert.AreEqual(1, queue.Count(FakeMessageState.Available), "a stopped flow receives nothing");
        Assert.AreEqual(0, queue.Messages.Single(m => m.Body.Contains("\"n\":1", StringComparison.Ordinal)).DeliveryCount);

        await using var again = await s_cluster.SubscribeAsync(flowId);
        await s_cluster.Flow(flowId).StartAsync();
        var outputs = await CollectAsync(again, 1, Wait);
        Assert.AreEqual(1, N(outputs.Single()));
        Assert.IsTrue((await Trigger(flowId).GetAsync())!.Receiving);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task MessageProperties_TravelAsHeaders()
    {
        var bus = new FakeServiceBus();
        var topic = bus.Entity("events/Subscriptions/flows");
        topic.Send("""{"n":0}""", messageId: "m-1", correlationId: "c-1", subject: "order-created",
            properties: new Dictionary<string, object> { ["region"] = "eu", ["priority"] = 3 });
        var (flowId, events) = await StartTriggeredFlowAsync(FlowMode.Ordinary, new ServiceBusTriggerSettings(bus.ConnectionString, Topic: "events", Subscription: "flows"));
        await using (events)
        {
            var headers = (await CollectAsync(events, 1, Wait)).Single().Message!.Headers;
            Assert.AreEqual("m-1", headers[ServiceBusHeaders.MessageId]);
            Assert.AreEqual("c-1", headers[ServiceBusHeaders.CorrelationId]);
            Assert.AreEqual("order-created", headers[ServiceBusHeaders.Subject]);
            Assert.AreEqual("eu", headers[ServiceBusHeaders.PropertyPrefix + "region"]);
            Assert.AreEqual("3", headers[ServiceBusHeaders.PropertyPrefix + "priority"]);
            Assert.AreEqual("events/Subscriptions/flows", headers[ServiceBusHeaders.Entity]);
        }

        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task TheConnectionString_IsWriteOnly_AndNeverLogged()
    {
        var bus = new FakeServiceBus();
        bus.Entity("secret").Send("not json either");
        bus.Entity("secret").Send("""{"n":0}""");
        var (flowId, events) = await StartTriggeredFlowAsync(FlowMode.Ordinary, new ServiceBusTriggerSettings(bus.ConnectionString, Queue: "secret"));
        await using (events)
        {
            await CollectAsync(events, 1, Wait);
        }

        // An update without the secret keeps it; a bad update is refused naming the field, without repeating it.
        var info = await Trigger(flowId).ConfigureAsync(new ServiceBusTriggerSettings(Queue: "secret", Concurrency: 2));
        Assert.AreEqual("ConnectionString", info.Authentication);
        Assert.AreEqual(bus.Namespace, info.Namespace);
        Assert.AreEqual(bus.ConnectionString, bus.ClientsCreated.Last().ConnectionString, "the stored secret was kept");
        var refused = await Assert.ThrowsExactlyAsync<TriggerValidationException>(() =>
            Trigger(flowId).ConfigureAsync(new ServiceBusTriggerSettings(bus.ConnectionString + ";Oops", Queue: "secret", Concurrency: 0)));
        Assert.IsTrue(refused.Errors.Any(e => e.Field == "concurrency"));
        await s_cluster.Flow(flowId).StopAsync();

        Assert.DoesNotContain(bus.Key, System.Text.Json.JsonSerializer.Serialize(await Trigger(flowId).GetAsync()));
        Assert.DoesNotContain(bus.Key, refused.Message);
        Assert.IsTrue(Logs.Lines.Any(l => l.Contains(flowId, StringComparison.Ordinal)), "the silo logged about this flow");
        var leaks = Logs.Lines.Where(l => l.Contains(bus.Key, StringComparison.Ordinal)).ToArray();
        Assert.IsEmpty(leaks, $"the secret was logged: {leaks.FirstOrDefault()}");
    }

    private static IServiceBusTriggerGrain Trigger(string flowId) => s_cluster.Client.GetGrain<IServiceBusTriggerGrain>(flowId);

    private static async Task<(string FlowId, FlowEventSubscription Events)> StartTriggeredFlowAsync(FlowMode mode, ServiceBusTriggerSettings settings)
    {
        var flowId = await s_cluster.CreateFlowAsync(TriggerCluster.Echo(), mode);
        return (flowId, await StartAsync(flowId, settings));
    }

    private static async Task<FlowEventSubscription> StartAsync(string flowId, ServiceBusTriggerSettings settings)
    {
        await Trigger(flowId).ConfigureAsync(settings);
        var events = await FlowEventSubscription.SubscribeAsync(s_cluster.Client, flowId, capacity: 10_000);
        await s_cluster.Flow(flowId).StartAsync();
        return events;
    }
}
