using System.Text.Json;
using Azure.Messaging.ServiceBus;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Triggers;
using FlowActors.Grains.Triggers.ServiceBus;
using FlowActors.ServiceBusComponent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FlowActors.Tests.Triggers;

/// <summary>
/// The send component and the trigger against a REAL Service Bus namespace, when one is given: set
/// <c>FLOWACTORS_TEST_SERVICEBUS</c> to a connection string and <c>FLOWACTORS_TEST_SERVICEBUS_QUEUE</c> to a queue
/// without sessions (default <c>flowactors-tests</c>; what waits in it is consumed). Without them these are the only
/// tests of the suite that are skipped, and they say so.
/// </summary>
[TestClass]
[TestCategory("ServiceBusLive")]
public sealed class ServiceBusLiveTests
{
    private const string ConnectionVariable = "FLOWACTORS_TEST_SERVICEBUS";
    private const string QueueVariable = "FLOWACTORS_TEST_SERVICEBUS_QUEUE";
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);

    [TestMethod]
    public async Task SentByTheComponent_ReceivedByTheTrigger_EachMessageOnce_AndNothingLeftInTheQueue()
    {
        const int Sent = 50;
        var connectionString = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            Assert.Inconclusive($"SKIPPED: no Service Bus namespace to test against. Set {ConnectionVariable} to a connection string " +
                $"(and {QueueVariable} to a queue without sessions) to run the live Service Bus tests.");
            return;
        }

        var queue = Environment.GetEnvironmentVariable(QueueVariable) is { Length: > 0 } q ? q : "flowactors-tests";
        var run = Guid.NewGuid().ToString("N");

        // Send through the component's real code: one call, one batch.
        await using (var senders = new ServiceBusSenders())
        {
            var configuration = JsonDocument.Parse(JsonSerializer.Serialize(new { connectionString, queue, messageId = "{body:id}", subject = "live-test" })).RootElement;
            var inputs = Enumerable.Range(0, Sent).Select(n => new ActionContext(
                new InvokeRequest(ServiceBusSend.Action, new ProtocolMessage($"m{n}", JsonDocument.Parse($$"""{"id":"{{run}}-{{n}}","run":"{{run}}","n":{{n}}}""").RootElement, null, "x"), configuration, null),
                null, new DefaultHttpContext())).ToList();
            var results = await ServiceBusSend.SendAsync(inputs, senders);
            Assert.IsTrue(results.All(r => r.Single().Kind == EmitKinds.Data), string.Join("; ", results.Select(r => r.Single().Error).OfType<string>().Distinct()));
        }

        // Receive with the trigger's real client factory, into a real flow.
        await using var cluster = await TriggerCluster.StartAsync(configure: silo => silo.Services.AddSingleton<IServiceBusClientFactory>(new ServiceBusClientFactory()));
        await TriggerCluster.DeployAsync(cluster);
        var flowId = await cluster.CreateFlowAsync(TriggerCluster.Echo(), FlowMode.Ordinary);
        await cluster.Client.GetGrain<IServiceBusTriggerGrain>(flowId).ConfigureAsync(new ServiceBusTriggerSettings(connectionString, Queue: queue, Concurrency: 4));
        await using var events = await cluster.SubscribeAsync(flowId);
        await cluster.Flow(flowId).StartAsync();

        var seen = new Dictionary<long, int>();
        using (var deadline = new CancellationTokenSource(Wait))
        {
            try
            {
                await foreach (var e in events.ReadAllAsync(deadline.Token))
                {
                    var body = JsonDocument.Parse(e.Message!.Body).RootElement;
                    if (e.Kind != FlowEventKind.Output || !body.TryGetProperty("run", out var r) || r.GetString() != run)
                    {
                        continue; // left in the queue by an earlier run
                    }

                    Assert.AreEqual("live-test", e.Message.Headers[ServiceBusHeaders.Subject]);
                    var n = body.GetProperty("n").GetInt64();
                    seen[n] = seen.GetValueOrDefault(n) + 1;
                    if (seen.Count == Sent)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
            }
        }

        await cluster.Flow(flowId).StopAsync();
        var duplicated = seen.Values.Sum(c => c - 1);
        Console.WriteLine($"live Service Bus: sent {Sent}, delivered {seen.Count}, duplicated {duplicated}, lost {Sent - seen.Count}");
        Assert.AreEqual(Sent, seen.Count, "none lost");

        // Completed, not merely received: none of this run's messages is left in the queue.
        await using var client = new ServiceBusClient(connectionString);
        await using var receiver = client.CreateReceiver(queue);
        var left = await receiver.PeekMessagesAsync(250);
        Assert.AreEqual(0, left.Count(m => m.Body.ToString().Contains(run, StringComparison.Ordinal)), "every message of this run was completed");
    }
}
