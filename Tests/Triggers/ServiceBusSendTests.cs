using System.Text.Json;
using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.ServiceBusComponent;
using FlowActors.Tests.Triggers.Fakes;
using Microsoft.AspNetCore.Http;

namespace FlowActors.Tests.Triggers;

/// <summary>
/// The Service Bus component's <c>send</c> action, its real sending code against the FAKE namespace (the SDK's sender
/// and batch test seams): each input sent once with the configured properties, batches sent as batches, and an error
/// per message that says what is wrong with that message.
/// </summary>
[TestClass]
public sealed class ServiceBusSendTests
{
    [TestMethod]
    public async Task EachInput_IsSentOnce_WithTheConfiguredProperties_InBatchesAsItCame()
    {
        const int Inputs = 250;
        const int PerCall = 50;
        var bus = new FakeServiceBus();
        await using var senders = new ServiceBusSenders(_ => bus.CreateClient());
        var configuration = Json($$"""
            {"connectionString":"{{bus.ConnectionString}}","queue":"orders-out","messageId":"{body:orderId}",
             "sessionId":"{header:customer}","subject":"order-created","correlationId":"{execution.id}",
             "applicationProperties":{"kind":"order","region":"{body:region}","priority":2} }
            """);

        for (var call = 0; call < Inputs / PerCall; call++)
        {
            var batch = Enumerable.Range(call * PerCall, PerCall)
                .Select(n => Input($$"""{"orderId":"o-{{n}}","region":"eu-{{n % 3}}"}""", configuration, headers: new() { ["customer"] = $"c{n % 7}" }, execution: $"x{n}"))
                .ToList();
            var results = await ServiceBusSend.SendAsync(batch, senders);
            Assert.HasCount(PerCall, results);
            foreach (var (result, n) in results.Select((r, i) => (r, call * PerCall + i)))
            {
                var emit = result.Single();
                Assert.AreEqual(EmitKinds.Data, emit.Kind, emit.Error);
                Assert.AreEqual($"o-{n}", emit.Headers![ServiceBusSend.MessageIdHeader], "the input goes on with the id it was sent with");
                Assert.AreEqual("orders-out", emit.Headers[ServiceBusSend.SentToHeader]);
            }
        }

        var sent = bus.Entity("orders-out").Messages;
        var ids = sent.Select(m => m.Sent.MessageId).ToList();
        var duplicated = ids.Count - ids.Distinct().Count();
        var lost = Enumerable.Range(0, Inputs).Count(n => !ids.Contains($"o-{n}"));
        Console.WriteLine($"send: inputs {Inputs}, delivered {ids.Count}, duplicated {duplicated}, lost {lost}, send calls {bus.Sends.Count}");
        Assert.AreEqual(0, duplicated);
        Assert.AreEqual(0, lost);
        Assert.HasCount(Inputs, ids);
        Assert.AreEqual(Inputs / PerCall, bus.Sends.Count, "each call's messages went in one Service Bus batch");
        foreach (var message in sent)
        {
            var n = int.Parse(message.Sent.MessageId[2..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.AreEqual($"c{n % 7}", message.Sent.SessionId);
            Assert.AreEqual("order-created", message.Sent.Subject);
            Assert.AreEqual($"x{n}", message.Sent.CorrelationId);
            Assert.AreEqual("application/json", message.Sent.ContentType);
            Assert.AreEqual("order", message.Sent.ApplicationProperties["kind"]);
            Assert.AreEqual($"eu-{n % 3}", message.Sent.ApplicationProperties["region"]);
            Assert.AreEqual("2", message.Sent.ApplicationProperties["priority"]);
            Assert.AreEqual($$"""{"orderId":"o-{{n}}","region":"eu-{{n % 3}}"}""", message.Body);
        }
    }

    [TestMethod]
    public async Task WithoutConfiguredProperties_AForwardedMessageKeepsWhatItsTriggerReceived()
    {
        // The inputs carry the trigger's own header names (the component repeats them, not referencing the platform).

        var bus = new FakeServiceBus();
        await using var senders = new ServiceBusSenders(_ => bus.CreateClient());
        var configuration = Json($$"""{"fullyQualifiedNamespace":"{{bus.Namespace}}","topic":"events"}""");
        var received = Input("""{"n":1}""", configuration, headers: new()
        {
            [ServiceBusHeaders.MessageId] = "m-1",
            [ServiceBusHeaders.SessionId] = "s-1",
            [ServiceBusHeaders.Subject] = "created",
            [ServiceBusHeaders.PropertyPrefix + "tenant"] = "contoso",
        });
        var plain = Input("""{"n":2}""", configuration, id: "flow-message-2");

        var results = await ServiceBusSend.SendAsync([received, plain], senders);

        Assert.IsTrue(results.All(r => r.Single().Kind == EmitKinds.Data));
        var sent = bus.Entity("events").Messages;
        Assert.HasCount(2, sent);
        Assert.AreEqual("m-1", sent[0].Sent.MessageId);
        Assert.AreEqual("s-1", sent[0].Sent.SessionId);
        Assert.AreEqual("created", sent[0].Sent.Subject);
        Assert.AreEqual("contoso", sent[0].Sent.ApplicationProperties["tenant"]);
        Assert.AreEqual("flow-message-2", sent[1].Sent.MessageId, "the flow message's id: a retried call sends the same id");
        Assert.IsNull(sent[1].Sent.SessionId);
    }

    [TestMethod]
    public async Task AMessageThatCannotBeSent_GetsItsOwnError_AndTheOthersAreSentOnce()
    {
        var bus = new FakeServiceBus();
        await using var senders = new ServiceBusSenders(_ => bus.CreateClient());
        var configuration = Json($$"""{"connectionString":"{{bus.ConnectionString}}","queue":"out","messageId":"{body:orderId}"}""");
        var huge = new string('x', (int)FakeServiceBusSender.MaxBatchBytes);
        var inputs = new[]
        {
            Input("""{"orderId":"a"}""", configuration),
            Input("""{"id":"no order id"}""", configuration, id: "m-missing"),
            Input($$"""{"orderId":"big","pad":"{{huge}}"}""", configuration, id: "m-big"),
            Input("""{"orderId":"b"}""", configuration),
        };

        var results = await ServiceBusSend.SendAsync(inputs, senders);

        Assert.AreEqual(EmitKinds.Data, results[0].Single().Kind);
        Assert.AreEqual(EmitKinds.Data, results[3].Single().Kind);
        var missing = results[1].Single();
        Assert.AreEqual(EmitKinds.Error, missing.Kind);
        StringAssert.Contains(missing.Error, "m-missing");
        StringAssert.Contains(missing.Error, "messageId is '{body:orderId}', but the message body has no field 'orderId'");
        var big = results[2].Single();
        Assert.AreEqual(EmitKinds.Error, big.Kind);
        StringAssert.Contains(big.Error, "larger than the entity takes");
        CollectionAssert.AreEqual(new[] { "a", "b" }, bus.Entity("out").Messages.Select(m => m.Sent.MessageId).ToArray());

        // A send the namespace refuses fails the messages it carried, saying why; none of them arrived.
        bus.FailSendWhen = m => m.MessageId == "c";
        results = await ServiceBusSend.SendAsync([Input("""{"orderId":"c"}""", configuration)], senders);
        StringAssert.Contains(results[0].Single().Error, "was not sent to out");
        StringAssert.Contains(results[0].Single().Error, "ServiceCommunicationProblem");
        Assert.HasCount(2, bus.Entity("out").Messages);
    }

    [TestMethod]
    public async Task ABadConfiguration_FailsEachMessage_NamingTheField_AndNeverQuotesTheSecret()
    {
        // The real client factory: the SDK itself refuses the connection string.
        await using var senders = new ServiceBusSenders();
        const string Secret = "Sup3rSecretKeyValue";

        var noEntity = await ServiceBusSend.SendAsync([Input("{}", Json($$"""{"connectionString":"Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey={{Secret}}"}"""))], senders);
        StringAssert.Contains(noEntity[0].Single().Error, "queue: give exactly one of 'queue' and 'topic'");

        var garbage = await ServiceBusSend.SendAsync(
            [Input("{}", Json($$"""{"connectionString":"Endpoint=not a uri;SharedAccessKey={{Secret}}","queue":"q"}""")), Input("{}", null)], senders);
        var error = garbage[0].Single().Error!;
        StringAssert.Contains(error, "connectionString: not a Service Bus connection string");
        Assert.DoesNotContain(Secret, error);
        Assert.HasCount(2, garbage, "one result per message, each with the error");

        var badTemplate = await ServiceBusSend.SendAsync([Input("{}", Json("""{"fullyQualifiedNamespace":"x.servicebus.windows.net","queue":"q","subject":"{bodyy:x}"}"""))], senders);
        StringAssert.Contains(badTemplate[0].Single().Error, "subject: '{bodyy:x}' is not a reference");
    }

    private static ActionContext Input(string body, JsonElement? configuration, Dictionary<string, string>? headers = null, string? id = null, string execution = "x") =>
        new(new InvokeRequest(ServiceBusSend.Action, new ProtocolMessage(id ?? Guid.NewGuid().ToString("N"), Json(body), headers, execution), configuration, null),
            startConfiguration: null, new DefaultHttpContext());

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
