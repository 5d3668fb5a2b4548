namespace FlowActors.Grains.Webhooks;

/// <summary>
/// Which of a flow's reply headers reach the webhook caller. By default: content and caching headers and custom
/// <c>X-</c> headers. Never by default: cookies, CORS, CSP, redirects and the like, which would let code a user deployed
/// speak for the server; a webhook may allow some of them by name (<see cref="ProblemWithAllowed"/>). Framing headers
/// are the server's alone and never pass.
/// </summary>
public static class WebhookReplyHeaders
{
    public const int MaxAllowed = 32;

    /// <summary>Headers that pass for every webhook.</summary>
    public static readonly IReadOnlySet<string> Default = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-Language", "Content-Disposition", "Cache-Control", "Expires", "ETag", "Last-Modified",
        "Vary", "Retry-After", "Pragma",
    };

    /// <summary>Headers the server sets for itself: a reply can neither set them nor be allowed to.</summary>
    public static readonly IReadOnlySet<string> ServerOnly = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Trailer", "TE", "Host", "Date",
        "Server", "Proxy-Connection", "Alt-Svc", "X-Content-Type-Options",
    };

    /// <summary><c>X-</c> headers that are security switches of the browser, not custom data.</summary>
    private static readonly HashSet<string> BrowserSwitches = new(StringComparer.OrdinalIgnoreCase)
    {
        "X-Frame-Options", "X-XSS-Protection", "X-Permitted-Cross-Domain-Policies", "X-DNS-Prefetch-Control",
    };

    /// <summary>True when a reply header <paramref name="name"/> reaches the caller of a webhook that allows <paramref name="allowed"/>.</summary>
    public static bool Passes(string name, IReadOnlyCollection<string> allowed)
    {
        if (ServerOnly.Contains(name) || name.StartsWith(':'))
        {
            return false;
        }

        return Default.Contains(name)
            || (name.StartsWith("X-", StringComparison.OrdinalIgnoreCase) && !BrowserSwitches.Contains(name))
            || allowed.Contains(name, StringComparer.OrdinalIgnoreCase);
    }

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

            if (ServerOnly.Contains(name!))
            {
                return $"'allowReplyHeaders[{i}]' is '{name}', which only the server sets.";
            }
        }

        return null;
    }
}
