namespace FlowActors.Grains.Interfaces.Webhooks;

/// <summary>One flow's webhook.</summary>
/// <param name="Secret">The secret's bytes (UTF-8 of its text form): the shared secret, and the key of request signatures.</param>
/// <param name="AllowedReplyHeaders">Reply headers let through beyond the default allow-list (e.g. <c>Location</c>).</param>
/// <param name="RotatedAt">When the secret was made.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.WebhookEntry")]
public sealed record WebhookEntry(
    [property: Id(0)] byte[] Secret,
    [property: Id(1)] string[] AllowedReplyHeaders,
    [property: Id(2)] DateTimeOffset RotatedAt);
