namespace FlowActors.Grains.Interfaces.Webhooks;

/// <summary>Every webhook (flow id → webhook) as of registry version <paramref name="Version"/>.</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.WebhookSnapshot")]
public sealed record WebhookSnapshot(
    [property: Id(0)] long Version,
    [property: Id(1)] Dictionary<string, WebhookEntry> Webhooks);
