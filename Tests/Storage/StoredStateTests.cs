using System.Text.Json;
using FlowActors.Client;
using FlowActors.Grains.Catalog;
using FlowActors.Grains.Credentials;
using FlowActors.Grains.Components;
using FlowActors.Grains.Delivery;
using FlowActors.Grains.Executions;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Containers;
using FlowActors.Grains.Interfaces.Credentials;
using FlowActors.Grains.Interfaces.Secrets;
using FlowActors.Grains.Interfaces.Triggers;
using FlowActors.Grains.Interfaces.Webhooks;
using FlowActors.Grains.Sessions;
using FlowActors.Grains.Steps;
using FlowActors.Grains.Triggers.Schedules;
using FlowActors.Grains.Triggers.ServiceBus;
using FlowActors.Grains.Webhooks;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using DeadLetter = FlowActors.Client.DeadLetter;

namespace FlowActors.Tests.Storage;

/// <summary>
/// Every persisted state type, populated the way the HTTP API (System.Text.Json), the SDK (collection expressions in
/// a caller's assembly) and the seeder populate it, reads back through the grain storage serializer the silo uses.
/// A state that cannot be read back makes its grain impossible to activate, for good.
/// </summary>
[TestClass]
public sealed class StoredStateTests
{
    private static FlowCluster s_cluster = null!;
    private static IGrainStorageSerializer s_serializer = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        _ = context;
        s_cluster = await FlowCluster.StartAsync();
        s_serializer = s_cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainStorageSerializer>();
    }

    [ClassCleanup]
    public static async Task StopAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    public void Silo_StoresStateWithTheOrleansSerializer_WhoseContractsAreTheIdsAndAliases() =>
        Assert.IsInstanceOfType<OrleansGrainStorageSerializer>(s_serializer);

    [TestMethod]
    public void FlowState_AsTheSeederAndTheSdkPopulateIt_ReadsBack()
    {
        var transform = Revision("transform", SampleDeployments.Transform());
        var definition = FlowDefinition.Chain(
            "Greet",
            new StepDefinition("shout", "transform", "uppercase", """{"field":"name"}"""),
            new StepDefinition("answer", "echo", "echo"));
        var published = new PublishedFlow(1, definition, DateTimeOffset.UnixEpoch);
        var state = new FlowState
        {
            Draft = definition,
            Published = [published],
            Mode = FlowMode.Realtime,
            Lifecycle = FlowLifecycle.Running,
            Run = new FlowRun(
                "run-1",
                published,
                FlowMode.Realtime,
                new Dictionary<string, ComponentRevision> { ["shout"] = transform, ["answer"] = Revision("echo", SampleDeployments.Echo()) },
                DateTimeOffset.UnixEpoch),
        };

        AssertReadsBack(state);
    }

    [TestMethod]
    public void FlowState_AsTheHttpApiPopulatesIt_ReadsBack()
    {
        var definition = JsonSerializer.Deserialize<FlowDefinition>(
            """{"name":"api","steps":[{"id":"a","componentId":"echo","action":"echo"},{"id":"b","componentId":"echo","action":"echo","configuration":"{}"}],"edges":[{"from":"a","to":"b"}]}""",
            JsonSerializerOptions.Web)!;

        AssertReadsBack(new FlowState { Draft = definition, Published = [new PublishedFlow(1, definition, DateTimeOffset.UnixEpoch)] });
    }

    [TestMethod]
    public void ComponentState_AsTheSeederTheSdkAndTheHttpApiPopulateIt_ReadsBack()
    {
        // The SDK's callers write collection expressions too: a type of their own assembly must not end up in storage.
        var sdk = new ComponentDeployment(
            new ComponentLaunch(null, "node", ["component.js", "--quiet"], new Dictionary<string, string> { ["A"] = "1" }),
            new ComponentDescriptor([], ["echo"]));
        var api = JsonSerializer.Deserialize<ComponentDeployment>(
            """{"launch":{"image":"x:1","command":null,"arguments":["a"],"environment":{"K":"V"}},"descriptor":{"triggers":[],"actions":["echo"]}}""",
            JsonSerializerOptions.Web)!;

        AssertReadsBack(new ComponentState
        {
            Revisions = [Revision("transform", SampleDeployments.Transform()), Revision("sdk", sdk), Revision("api", api)],
        });
    }

    [TestMethod]
    public void CatalogWebhookAndSessionStates_ReadBack()
    {
        var catalog = new CatalogState();
        catalog.Ids.Add("b");
        catalog.Ids.Add("a");
        AssertReadsBack(catalog);
        var webhooks = new WebhookRegistryState { Version = 3 };
        webhooks.Webhooks["a"] = new WebhookEntry([1, 2, 3], [], DateTimeOffset.UnixEpoch);
        webhooks.Webhooks["b"] = new WebhookEntry([4], ["Location"], DateTimeOffset.UnixEpoch);
        AssertReadsBack(webhooks);
        var sealedWebhooks = new WebhookRegistryState { Version = 4 };
        sealedWebhooks.Sealed["a"] = new StoredWebhook(new SealedSecret([9, 8, 7]), ["Location"], DateTimeOffset.UnixEpoch);
        AssertReadsBack(sealedWebhooks);
        var credentials = new CredentialRegistryState { Version = 2 };
        credentials.Credentials["crm"] = new SealedCredential(
            "crm",
            new Dictionary<string, SealedSecret> { ["apiKey"] = new([1, 2]) },
            new Dictionary<string, DateTimeOffset> { ["apiKey"] = DateTimeOffset.UnixEpoch },
            DateTimeOffset.UnixEpoch,
            Revision: 3);
        AssertReadsBack(credentials);
        AssertReadsBack(new AdminSessionState { ExpiresAt = DateTimeOffset.UnixEpoch });
    }

    [TestMethod]
    public void StepState_AsARealtimeStepHoldsItsContainer_ReadsBack() => AssertReadsBack(new StepState
    {
        RunId = "run-1",
        Lease = new ContainerLease(
            "lease-1", "process-42", "flow/step@S127.0.0.1:11111:1", new Uri("http://127.0.0.1:40001/"),
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(1)),
        Revision = Revision("transform", SampleDeployments.Transform()),
        Snapshot = """{"seen":3}""",

        // As a step receives it: a path built with a collection expression (FlowMessage.PathWith), headers from a webhook.
        Undelivered = FlowMessage.Create("{}", new Dictionary<string, string> { ["http.method"] = "POST" })
            .Next(0, """{"n":1}""", null, new StepTiming("first", TimeSpan.FromMilliseconds(3))),
        UndeliveredReason = "the next step's queue is full",
    });

    [TestMethod]
    public void DeadLetterState_AsStepsGiveUpOnMessages_ReadsBack()
    {
        var message = FlowMessage.Create("""{"name":"ada"}""", new Dictionary<string, string> { ["http.method"] = "POST" })
            .Next(0, """{"name":"ADA"}""", null, new StepTiming("shout", TimeSpan.FromMilliseconds(2)));
        var state = new DeadLetterState { DeadLettered = 3, Dropped = 1, Replayed = 1, Discarded = 0 };

        // Attempts as a caller builds them: a collection expression (the delivery side) and an array (StepOutputs).
        state.Items.Add(new DeadLetter(message.Id, "f", "check", message, "failed", [new DeliveryAttempt(DateTimeOffset.UnixEpoch, "timeout", 2)], DateTimeOffset.UnixEpoch));
        state.Items.Add(new DeadLetter("m2", "f", "check", message, "poison", new[] { new DeliveryAttempt(DateTimeOffset.UnixEpoch, "poison") }, DateTimeOffset.UnixEpoch, Poison: true));
        AssertReadsBack(state);
    }

    [TestMethod]
    public void FlowState_WithMappingsEachAndRoutedEdges_ReadsBack()
    {
        var definition = new FlowDefinition(
            "Orders by country",
            [
                new StepDefinition("split", "echo", "echo", Mapping: "lines.{ 'sku': sku }", Each: true),
                new StepDefinition("de", "transform", "uppercase", """{"field":"sku"}"""),
                new StepDefinition("rest", "echo", "echo"),
            ],
            [new FlowEdge("split", "de", When: "country = 'DE'"), new FlowEdge("split", "rest", Otherwise: true)]);

        AssertReadsBack(new FlowState { Draft = definition, Published = [new PublishedFlow(1, definition, DateTimeOffset.UnixEpoch)] });
    }

    [TestMethod]
    public void StepState_WithARetriedMessageWhosePathRecordsItsRoute_ReadsBack() => AssertReadsBack(new StepState
    {
        Retries =
        [
            new PendingRetry(
                FlowMessage.Create("""{"n":2}""").Next(0, """{"n":3}""", null, new StepTiming("split", TimeSpan.FromMilliseconds(1), ["de"])),
                [new DeliveryAttempt(DateTimeOffset.UnixEpoch, "timed out", 3)],
                DateTimeOffset.UnixEpoch,
                DateTimeOffset.UnixEpoch.AddSeconds(3)),
        ],
    });

    [TestMethod]
    public void FlowAccountingState_WithExecutionsInFlight_ReadsBack() => AssertReadsBack(new FlowAccountingState
    {
        Accepted = 10, Completed = 6, Failed = 1, Rejected = 4, Replayed = 1, Expired = 1, DuplicatesDropped = 2, Unrouted = 3,
        InFlight = { ["e1"] = DateTimeOffset.UnixEpoch, ["e2"] = DateTimeOffset.UnixEpoch.AddSeconds(1) },
        Counting = true, Uncertain = { "e1" }, OutcomeUnknown = 5,
    });

    [TestMethod]
    public void TriggerStates_AsTheApiPopulatesThem_ReadBack()
    {
        var run = new TriggerRun("run-1", "poll", FlowMode.Ordinary, DateTimeOffset.UnixEpoch);
        AssertReadsBack(new ScheduleState
        {
            Settings = JsonSerializer.Deserialize<ScheduleSettings>("""{"cron":"*/5 * * * * *","timeZone":"Europe/Berlin"}""", JsonSerializerOptions.Web),
            Run = run,
            Anchor = DateTimeOffset.UnixEpoch,
            LastTick = DateTimeOffset.UnixEpoch.AddSeconds(5),
            Snapshot = """{"next":4}""",
            Fired = 3,
            Skipped = 1,
            LastError = "the tick overran",
        });
        AssertReadsBack(new ScheduleState { Settings = new ScheduleSettings(Interval: TimeSpan.FromSeconds(2)) });
        AssertReadsBack(new ServiceBusTriggerState
        {
            Settings = JsonSerializer.Deserialize<ServiceBusTriggerSettings>(
                """{"connectionString":"Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s","topic":"t","subscription":"s","sessions":true,"concurrency":4,"prefetch":10}""",
                JsonSerializerOptions.Web),
            Run = run,
        });
    }

    [TestMethod]
    public void StepState_WithCompletedIdsAndRetries_ReadsBack() => AssertReadsBack(new StepState
    {
        Completed = ["a1", FlowMessage.DeriveId("a1", "first", 0)],
        Retries =
        [
            new PendingRetry(
                FlowMessage.Create("""{"n":2}""", new Dictionary<string, string> { ["k"] = "v" }),
                [new DeliveryAttempt(DateTimeOffset.UnixEpoch, "timed out", 3), new DeliveryAttempt(DateTimeOffset.UnixEpoch.AddSeconds(1), "rebounded")],
                DateTimeOffset.UnixEpoch,
                DateTimeOffset.UnixEpoch.AddSeconds(3)),
        ],
    });

    private static ComponentRevision Revision(string componentId, ComponentDeployment deployment) =>
        new(componentId, 1, deployment.Launch, deployment.Descriptor, DateTimeOffset.UnixEpoch);

    /// <summary>Writes and reads <paramref name="state"/> as the storage provider does; the JSON of both must match.</summary>
    private static void AssertReadsBack<T>(T state)
    {
        var stored = s_serializer.Serialize(state);
        var read = s_serializer.Deserialize<T>(stored);
        Assert.AreEqual(JsonSerializer.Serialize(state, JsonSerializerOptions.Web), JsonSerializer.Serialize(read, JsonSerializerOptions.Web));
    }
}
