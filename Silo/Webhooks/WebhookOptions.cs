using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Webhooks;

/// <summary>Webhooks: their listener, signatures, rate limits and replies. Bound from <c>FlowActors:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string Section = "FlowActors:Webhooks";
    public const string DefaultUrl = "http://127.0.0.1:5081";

    /// <summary>
    /// The webhooks' own listener, apart from the admin API and console (<c>--urls</c>), so that nothing a flow replies
    /// is ever served from the console's origin. Only <c>/hooks</c> is served here, and <c>/hooks</c> only here.
    /// </summary>
    public string Url { get; set; } = DefaultUrl;

    /// <summary>How long a webhook of a real-time flow waits for the flow's HTTP reply before answering 202.</summary>
    public TimeSpan ReplyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How far a signed request's <c>X-Webhook-Timestamp</c> may be from the silo's clock, either way. Signatures are
    /// remembered this long, so each is accepted once.
    /// </summary>
    public TimeSpan SignatureTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Request headers a webhook passes on to the flow (as <c>http.header.{name}</c>). Credentials are never
    /// passed on, whatever this lists.
    /// </summary>
    public List<string> ForwardedHeaders { get; set; } =
        ["content-type", "user-agent", "x-request-id", "x-correlation-id", "traceparent"];

    /// <summary>Requests beyond these are answered 429 with <c>Retry-After</c> before anything else is done.</summary>
    public WebhookRateLimits RateLimits { get; set; } = new();
}

/// <summary>Per client IP address and per flow. Token buckets: a sustained rate, and a burst on top of it.</summary>
public sealed class WebhookRateLimits
{
    public int PerClientPerSecond { get; set; } = 20;

    public int PerClientBurst { get; set; } = 100;

    /// <summary>Requests one client IP address may have in progress at once: bounds the bodies buffered for it.</summary>
    public int PerClientConcurrent { get; set; } = 16;

    public int PerFlowPerSecond { get; set; } = 100;

    public int PerFlowBurst { get; set; } = 200;
}

/// <summary>Refuses webhook settings that cannot work, naming the setting and the fix.</summary>
public sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        const string s = WebhookOptions.Section;
        var errors = new List<string>();
        if (WebhookListener.PortOf(options.Url) is null)
        {
            errors.Add($"{s}:Url is '{options.Url}'; set an http or https URL with a port, such as {WebhookOptions.DefaultUrl}.");
        }

        if (options.ReplyTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{s}:ReplyTimeout must be a positive time such as 00:00:10.");
        }

        if (options.SignatureTolerance < TimeSpan.FromSeconds(10) || options.SignatureTolerance > TimeSpan.FromHours(1))
        {
            errors.Add($"{s}:SignatureTolerance is {options.SignatureTolerance}; set between 00:00:10 and 01:00:00.");
        }

        if (options.ForwardedHeaders.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{s}:ForwardedHeaders lists an empty header name; remove it.");
        }

        var limits = options.RateLimits;
        foreach (var (setting, value) in new[]
                 {
                     (nameof(limits.PerClientPerSecond), limits.PerClientPerSecond), (nameof(limits.PerClientBurst), limits.PerClientBurst),
                     (nameof(limits.PerClientConcurrent), limits.PerClientConcurrent), (nameof(limits.PerFlowPerSecond), limits.PerFlowPerSecond),
                     (nameof(limits.PerFlowBurst), limits.PerFlowBurst),
                 })
        {
            if (value is < 1 or > 1_000_000)
            {
                errors.Add($"{s}:RateLimits:{setting} is {value}; set between 1 and 1000000.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
