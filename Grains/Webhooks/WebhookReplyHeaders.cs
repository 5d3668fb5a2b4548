namespace FlowActors.Grains.Webhooks;

/// <summary>
/// Which of a flow's reply headers reach the webhook caller: a strict allow-list. By default only content and caching
/// headers and the two correlation ids; every other header (custom <c>X-</c> ones included) passes only when the webhook
/// allows it by name (<see cref="ProblemWithAllowed"/>). Never, even by name: framing headers, headers that speak for the
/// whole host (HSTS, Clear-Site-Data), and the reverse-proxy switches (<c>X-Accel-Redirect</c>, <c>X-Sendfile</c> and
/// their kin), with which a reply would make a proxy in front of the silo serve one of its own files.
/// </summary>
public static class WebhookReplyHeaders
{
    public const int MaxAllowed = 32;

    /// <summary>Headers that pass for every webhook.</summary>
    public static readonly IReadOnlySet<string> Default = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-Language", "Content-Disposition", "Cache-Control", "Expires", "ETag", "Last-Modified",
        "Vary", "Retry-After", "Pragma", "X-Request-Id", "X-Correlation-Id",
    };

    /// <summary>Headers the server sets for itself or that speak for the whole host: a reply can neither set them nor be allowed to.</summary>
    public static readonly IReadOnlySet<string> ServerOnly = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Trailer", "TE", "Host", "Date",
        "Server", "Proxy-Connection", "Alt-Svc", "X-Content-Type-Options", "Strict-Transport-Security", "Clear-Site-Data",
        "Public-Key-Pins", "Public-Key-Pins-Report-Only", "Expect-CT",
    };

    /// <summary>
    /// Reverse-proxy switches (nginx, Apache, lighttpd, LiteSpeed): a proxy acts on them instead of passing them on,
    /// serving an internal file or location, or changing how it buffers and limits.
    /// </summary>
    private static readonly string[] ProxySwitchPrefixes = ["X-Accel-", "X-Sendfile", "X-Lighttpd-", "X-LiteSpeed-"];

    /// <summary>True when no reply may set <paramref name="name"/>, whatever its webhook allows.</summary>
    public static bool IsServerOnly(string name) =>
        ServerOnly.Contains(name) || name.StartsWith(':') || ProxySwitchPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>True when a reply header <paramref name="name"/> reaches the caller of a webhook that allows <paramref name="allowed"/>.</summary>
    public static bool Passes(string name, IReadOnlyCollection<string> allowed) =>
        !IsServerOnly(name) && (Default.Contains(name) || allowed.Contains(name, StringComparer.OrdinalIgnoreCase));

    /// <summary>Why a webhook cannot allow <paramref name="allowed"/>, or null when it can.</summary>
    public static string? ProblemWithAllowed(IReadOnlyList<string?> allowed)
    {
        if (allowed.Count > MaxAllowed)
        {
            return $"'allowReplyHeaders' lists {allowed.Count} headers; at most {MaxAllowed} are allowed.";
        }

        for (var i = 0; i < allowed.Count; i++)
        {
            var name = allowed[i];
            if (!HttpReplyRules.IsToken(name))
            {
                return $"'allowReplyHeaders[{i}]' is not a header name (an HTTP token of 1-{HttpReplyRules.MaxNameLength} characters).";
            }

            if (IsServerOnly(name!))
            {
                return $"'allowReplyHeaders[{i}]' is '{name}', which only the server sets (framing, host-wide and reverse-proxy headers never pass).";
            }
        }

        return null;
    }
}
