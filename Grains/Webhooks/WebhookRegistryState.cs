using FlowActors.Grains.Interfaces.Webhooks;

namespace FlowActors.Grains.Webhooks;

/// <summary>Persistent state of the <see cref="WebhookRegistryGrain"/>.</summary>
[GenerateSerializer, Alias("FlowActors.WebhookRegistryState")]
public sealed class WebhookRegistryState
{
    /// <summary>Flow id → its webhook.</summary>
    [Id(0)]
    public Dictionary<string, WebhookEntry> Webhooks { get; set; } = new();

    /// <summary>Goes up by one with every change, so that copies can tell whether they missed one.</summary>
    [Id(1)]
    public long Version { get; set; }
}
