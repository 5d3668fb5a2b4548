using System.Text;
using FlowActors.Grains.Interfaces.Webhooks;
using FlowActors.Silo.Webhooks;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlowActors.Tests.Security;

/// <summary>
/// Each silo's copy of the webhooks (what lets a wrong request cost no grain call) against a real two-silo cluster:
/// a change made through any silo is in every copy by the time the call that made it returns.
/// </summary>
[TestClass]
[TestCategory("Security")]
public sealed class WebhookDirectoryTests
{
    [TestMethod]
    public async Task CreatedRotatedAndDeletedWebhooks_AreInEverySilosCopy_WhenTheCallReturns()
    {
        await using var cluster = await FlowCluster.StartAsync(silos: 2);
        var copies = cluster.Cluster.Silos
            .Select(s => new WebhookDirectory(s.ServiceProvider.GetRequiredService<IGrainFactory>(), NullLogger<WebhookDirectory>.Instance))
            .ToArray();
        using var stop = new CancellationTokenSource();
        foreach (var copy in copies)
        {
            await copy.StartAsync(stop.Token);
            Assert.IsTrue(await copy.WhenLoadedAsync(TimeSpan.FromSeconds(30), CancellationToken.None));
        }

        try
        {
            var registry = cluster.Client.GetGrain<IWebhookRegistryGrain>(WebhookRegistry.Key);
            var flowId = $"f{Guid.NewGuid():N}"[..20];

            var first = await registry.RotateSecretAsync(flowId, ["Location"]);
            AssertEveryCopy(copies, flowId, first, ["Location"]);

            var second = await registry.RotateSecretAsync(flowId, allowedReplyHeaders: null);
            AssertEveryCopy(copies, flowId, second, ["Location"]); // kept: the rotation named no headers

            await registry.DeleteAsync(flowId);
            Assert.IsTrue(copies.All(c => !c.TryGet(flowId, out _)), "a deleted webhook is still known");

            await Assert.ThrowsExactlyAsync<ArgumentException>(() => registry.RotateSecretAsync(flowId, ["Content-Length"]));
            await Assert.ThrowsExactlyAsync<ArgumentException>(() => registry.RotateSecretAsync("not a flow id", null));
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var copy in copies)
            {
                await copy.StopAsync(CancellationToken.None);
            }
        }
    }

    private static void AssertEveryCopy(WebhookDirectory[] copies, string flowId, string secret, string[] headers)
    {
        foreach (var copy in copies)
        {
            Assert.IsTrue(copy.TryGet(flowId, out var webhook), "a silo does not know the webhook yet");
            CollectionAssert.AreEqual(Encoding.UTF8.GetBytes(secret), webhook.Secret, "a silo still has the old secret");
            CollectionAssert.AreEqual(headers, webhook.AllowedReplyHeaders);
        }
    }
}
