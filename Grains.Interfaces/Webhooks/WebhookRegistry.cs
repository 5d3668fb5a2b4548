namespace FlowActors.Grains.Interfaces.Webhooks;

/// <summary>Constants of <see cref="IWebhookRegistryGrain"/>.</summary>
public static class WebhookRegistry
{
    /// <summary>The one registry of the cluster: webhooks are few and small, so one activation serves them.</summary>
    public const long Key = 0;

    /// <summary>How long a subscription lasts unless renewed; silos renew at a sixth of it.</summary>
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromSeconds(60);
}
