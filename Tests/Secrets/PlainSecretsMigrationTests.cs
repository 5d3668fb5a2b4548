using System.Text;
using FlowActors.Client;
using FlowActors.Grains;
using FlowActors.Grains.Interfaces.Triggers;
using FlowActors.Grains.Interfaces.Webhooks;
using FlowActors.Grains.Triggers.ServiceBus;
using FlowActors.Grains.Webhooks;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace FlowActors.Tests.Secrets;

/// <summary>
/// State that a version before sealing stored with secrets in plain text keeps working, and is sealed when its grain
/// activates: written here with the silo's own storage, as that version wrote it, then read through the grains.
/// </summary>
[TestClass]
public sealed class PlainSecretsMigrationTests
{
    private const string ConnectionString = "Endpoint=sb://legacy.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=bGVnYWN5LXBsYWluLWtleQ==";

    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_cluster = await FlowCluster.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_cluster.DisposeAsync();

    private static IGrainStorage Storage => s_cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);

    [TestMethod]
    public async Task PlainWebhookSecrets_StillWork_AndAreSealedAtActivation()
    {
        var registry = s_cluster.Client.GetGrain<IWebhookRegistryGrain>(WebhookRegistry.Key);
        var secret = Encoding.UTF8.GetBytes("plain-webhook-secret-from-before");
        var legacy = new WebhookRegistryState { Version = 7 };
        legacy.Webhooks["orders"] = new WebhookEntry(secret, ["Location"], DateTimeOffset.UnixEpoch);
        await Storage.WriteStateAsync("webhooks", registry.GetGrainId(), new GrainState<WebhookRegistryState>(legacy));

        var snapshot = await registry.GetSnapshotAsync();
        CollectionAssert.AreEqual(secret, snapshot.Webhooks["orders"].Secret, "the old secret is still the webhook's");
        CollectionAssert.AreEqual(new[] { "Location" }, snapshot.Webhooks["orders"].AllowedReplyHeaders);

        var stored = new GrainState<WebhookRegistryState>();
        await Storage.ReadStateAsync("webhooks", registry.GetGrainId(), stored);
        Assert.IsEmpty(stored.State!.Webhooks, "no plain secret is stored any more");
        Assert.IsFalse(stored.State.Sealed["orders"].Secret.Ciphertext.AsSpan().IndexOf(secret) >= 0);
        Assert.AreEqual(7, stored.State.Version);
    }

    [TestMethod]
    public async Task APlainServiceBusConnectionString_StillWorks_AndIsSealedAtActivation()
    {
        var trigger = s_cluster.Client.GetGrain<IServiceBusTriggerGrain>("legacy-flow");
        var legacy = new ServiceBusTriggerState { Settings = new ServiceBusTriggerSettings(ConnectionString, Queue: "orders") };
        await Storage.WriteStateAsync("servicebus", trigger.GetGrainId(), new GrainState<ServiceBusTriggerState>(legacy));

        var info = await trigger.GetAsync();
        Assert.AreEqual("legacy.servicebus.windows.net", info!.Namespace, "read from the connection string, now sealed");
        Assert.AreEqual("ConnectionString", info.Authentication);

        var stored = new GrainState<ServiceBusTriggerState>();
        await Storage.ReadStateAsync("servicebus", trigger.GetGrainId(), stored);
        Assert.IsNull(stored.State!.Settings!.ConnectionString, "no plain connection string is stored any more");
        Assert.IsNotNull(stored.State.ConnectionString);
        Assert.AreEqual("orders", stored.State.Settings.Queue);
    }
}
