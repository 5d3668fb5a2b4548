using FlowActors.Grains.Interfaces.Secrets;
using FlowActors.Grains.Interfaces.Webhooks;

namespace FlowActors.Grains.Webhooks;

/// <summary>Persistent state of the <see cref="WebhookRegistryGrain"/>. Secrets are stored sealed (<see cref="Secrets.SecretSealer"/>).</summary>
[GenerateSerializer, Alias("FlowActors.WebhookRegistryState")]
public sealed class WebhookRegistryState
{
    /// <summary>
    /// Webhooks with their secret in plain text, as versions before secrets were sealed stored them. Read once, sealed
    /// into <see cref="Sealed"/> and emptied when the registry activates.
    /// </summary>
    [Id(0)]
    public Dictionary<string, WebhookEntry> Webhooks { get; set; } = new();

    /// <summary>Goes up by one with every change, so that copies can tell whether they missed one.</summary>
    [Id(1)]
    public long Version { get; set; }

    /// <summary>Flow id → its webhook, secret sealed.</summary>
    [Id(2)]
    public Dictionary<string, StoredWebhook> Sealed { get; set; } = new();
}

/// <summary>A flow's webhook as stored: its secret sealed for that flow.</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.StoredWebhook")]
public sealed record StoredWebhook(
    [property: Id(0)] SealedSecret Secret,
    [property: Id(1)] string[] AllowedReplyHeaders,
    [property: Id(2)] DateTimeOffset RotatedAt);
