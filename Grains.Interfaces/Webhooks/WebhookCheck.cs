namespace FlowActors.Grains.Interfaces.Webhooks;

/// <summary>The outcome of <see cref="IWebhookGrain.CheckAsync"/>.</summary>
[GenerateSerializer, Alias("FlowActors.WebhookCheck")]
public enum WebhookCheck
{
    /// <summary>The flow has no webhook.</summary>
    NotConfigured = 0,

    /// <summary>The credentials are missing or wrong.</summary>
    Denied = 1,

    /// <summary>The credentials match.</summary>
    Allowed = 2,
}
