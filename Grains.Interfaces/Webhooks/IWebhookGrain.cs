namespace FlowActors.Grains.Interfaces.Webhooks;

/// <summary>
/// The webhook of one flow and its secret. Key: the flow id. A flow has no webhook until a secret is
/// created; rotating replaces the secret at once (the old one stops working).
/// </summary>
[Alias("FlowActors.IWebhookGrain")]
public interface IWebhookGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the secret and returns it. It is shown this once; only the holder keeps it.</summary>
    Task<string> RotateSecretAsync();

    /// <summary>Removes the webhook: requests to it are refused as unknown.</summary>
    Task DeleteAsync();

    /// <summary>True when the flow has a webhook secret.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<bool> ExistsAsync();

    /// <summary>
    /// Checks a request's credentials in constant time: the secret itself, or an HMAC-SHA256 signature of
    /// <paramref name="body"/> keyed with the secret (hex, optionally prefixed <c>sha256=</c>). Either suffices.
    /// </summary>
    [ReadOnly, AlwaysInterleave]
    Task<WebhookCheck> CheckAsync(string? secret, string? signature, byte[] body);
}
