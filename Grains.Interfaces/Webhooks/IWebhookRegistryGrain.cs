namespace FlowActors.Grains.Interfaces.Webhooks;

/// <summary>
/// Every flow's webhook and its secret, for the whole cluster: key 0 (<see cref="WebhookRegistry.Key"/>). Silos keep
/// a copy (<see cref="IWebhookObserver"/>), so that a request to an unknown webhook or with wrong credentials is
/// answered without any grain call; a change reaches every subscribed copy before the call that made it returns.
/// </summary>
[Alias("FlowActors.IWebhookRegistryGrain")]
public interface IWebhookRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Creates the flow's webhook or replaces its secret, and returns the new secret: it is shown this once. The old
    /// secret stops working at once. <paramref name="allowedReplyHeaders"/> replaces the reply headers the webhook
    /// lets through beyond the default allow-list; null keeps what the webhook had (nothing for a new one).
    /// </summary>
    Task<string> RotateSecretAsync(string flowId, string[]? allowedReplyHeaders);

    /// <summary>Removes the flow's webhook: requests to it are answered as unknown.</summary>
    Task DeleteAsync(string flowId);

    /// <summary>Whether the flow has a webhook.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<bool> ExistsAsync(string flowId);

    /// <summary>Every webhook, with the version of the registry they belong to.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<WebhookSnapshot> GetSnapshotAsync();

    /// <summary>
    /// Subscribes <paramref name="observer"/> to changes, or renews its subscription; subscriptions not renewed within
    /// <see cref="WebhookRegistry.SubscriptionLifetime"/> end. Returns the registry's version, so that a copy that
    /// missed a change notices.
    /// </summary>
    Task<long> SubscribeAsync(IWebhookObserver observer);

    /// <summary>Ends <paramref name="observer"/>'s subscription.</summary>
    Task UnsubscribeAsync(IWebhookObserver observer);
}
