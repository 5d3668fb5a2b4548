namespace FlowActors.Grains.Interfaces.Webhooks;

/// <summary>A change of the webhook registry: <paramref name="Entry"/> is the flow's webhook now, or null when it was removed.</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.WebhookChange")]
public sealed record WebhookChange(
    [property: Id(0)] long Version,
    [property: Id(1)] string FlowId,
    [property: Id(2)] WebhookEntry? Entry);
