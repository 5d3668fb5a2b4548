namespace FlowActors.Grains.Interfaces.Messages;

/// <summary>Headers of a message that a webhook request started: the HTTP request's parts, for the flow's steps.</summary>
public static class WebhookHeaders
{
    /// <summary>The request method (<c>POST</c>, <c>GET</c>, ...).</summary>
    public const string Method = "http.method";

    /// <summary>The part of the path after <c>/hooks/{flowId}</c>, starting with '/', or "" when none.</summary>
    public const string Path = "http.path";

    /// <summary>The query string including its leading '?', or "" when none.</summary>
    public const string Query = "http.query";

    /// <summary>Prefix of the forwarded request headers, followed by the lower-case header name.</summary>
    public const string HeaderPrefix = "http.header.";
}
