using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Silo.Api;

namespace FlowActors.Silo.Webhooks;

/// <summary>What of a webhook request travels with its body into the flow.</summary>
public static class WebhookMessage
{
    public static IReadOnlyDictionary<string, string> Headers(HttpRequest request, string subPath, WebhookOptions options)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [WebhookHeaders.Method] = request.Method,
            [WebhookHeaders.Path] = subPath,
            [WebhookHeaders.Query] = request.QueryString.Value ?? "",
        };
        foreach (var name in options.ForwardedHeaders)
        {
            if (IsCredential(name) || request.Headers[name] is not { Count: > 0 } values)
            {
                continue;
            }

            headers[WebhookHeaders.HeaderPrefix + name.ToLowerInvariant()] = values.ToString();
        }

        return headers;
    }

    private static bool IsCredential(string name) =>
        name.Equals(WebhookEndpoints.SecretHeader, StringComparison.OrdinalIgnoreCase)
        || name.Equals(WebhookEndpoints.SignatureHeader, StringComparison.OrdinalIgnoreCase)
        || name.Equals(WebhookEndpoints.TimestampHeader, StringComparison.OrdinalIgnoreCase)
        || name.Equals(ApiKey.Header, StringComparison.OrdinalIgnoreCase)
        || name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Cookie", StringComparison.OrdinalIgnoreCase);
}
