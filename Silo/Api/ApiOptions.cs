using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>The HTTP API and webhooks. Bound from <c>FlowActors:Api</c>.</summary>
public sealed class ApiOptions
{
    public const string Section = "FlowActors:Api";

    /// <summary>
    /// The admin API key. When empty, the silo makes one at first start and keeps it in
    /// <see cref="KeyFile"/>, readable only by its owner; it is never logged.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>Where a generated key is kept.</summary>
    public string KeyFile { get; set; } = ".flowactors/api-key";

    /// <summary>Longest a caller may wait for a flow's reply.</summary>
    public TimeSpan MaxReplyWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest request body accepted, in bytes, by the API and by webhooks; larger ones get 413.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a webhook of a real-time flow waits for the flow's HTTP reply before answering 202.</summary>
    public TimeSpan WebhookReplyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Request headers a webhook passes on to the flow (as <c>http.header.{name}</c>). Credentials are never
    /// passed on, whatever this lists.
    /// </summary>
    public List<string> WebhookForwardedHeaders { get; set; } =
        ["content-type", "user-agent", "x-request-id", "x-correlation-id", "traceparent"];
}

/// <summary>Refuses settings the API could not work with, naming the setting and the fix.</summary>
public sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        const string s = ApiOptions.Section;
        var errors = new List<string>();
        if (options.Key is { Length: > 0 and < 16 })
        {
            errors.Add($"{s}:Key is shorter than 16 characters; use a long random key, or leave it empty to have one generated into {s}:KeyFile.");
        }

        if (options.MaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            errors.Add($"{s}:MaxBodyBytes is {options.MaxBodyBytes}; set between 1024 and 67108864 bytes.");
        }

        if (options.MaxReplyWait <= TimeSpan.Zero || options.WebhookReplyTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{s}:MaxReplyWait and {s}:WebhookReplyTimeout must be positive times such as 00:00:10.");
        }

        if (options.WebhookForwardedHeaders.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{s}:WebhookForwardedHeaders lists an empty header name; remove it.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
