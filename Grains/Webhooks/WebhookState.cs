namespace FlowActors.Grains.Webhooks;

/// <summary>Persistent state of a <see cref="WebhookGrain"/>.</summary>
[GenerateSerializer, Alias("FlowActors.WebhookState")]
public sealed class WebhookState
{
    /// <summary>The secret's bytes (UTF-8 of its text form), or null when the flow has no webhook.</summary>
    [Id(0)]
    public byte[]? Secret { get; set; }

    [Id(1)]
    public DateTimeOffset? RotatedAt { get; set; }
}
