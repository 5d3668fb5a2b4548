using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>The HTTP API (and the body limit webhooks share with it). Bound from <c>FlowActors:Api</c>.</summary>
public sealed class ApiOptions
{
    public const string Section = "FlowActors:Api";

    /// <summary>The floor of <see cref="MinKeyLength"/>: 16 visible ASCII characters are about 100 bits when random.</summary>
    public const int LeastKeyLength = 16;

    /// <summary>The longest key: it travels in a header and in the login form, both bounded.</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>
    /// The admin API key. When empty, the silo makes one at first start and keeps it in
    /// <see cref="KeyFile"/>, readable only by its owner; it is never logged.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>Where a generated key is kept (or an operator's key is read from).</summary>
    public string KeyFile { get; set; } = ".flowactors/api-key";

    /// <summary>
    /// The shortest key the silo starts with, counted after trimming whitespace, whether the key is configured or read
    /// from <see cref="KeyFile"/>. At least <see cref="LeastKeyLength"/>.
    /// </summary>
    public int MinKeyLength { get; set; } = LeastKeyLength;

    /// <summary>Longest a caller may wait for a flow's reply.</summary>
    public TimeSpan MaxReplyWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Largest request body accepted, in bytes, on either listener (the API, webhooks, anything else); larger ones get
    /// 413 before they are read.
    /// </summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How many wrong keys a client address may present before it must wait (429 with <c>Retry-After</c>).</summary>
    public WrongKeyLimits WrongKeys { get; set; } = new();
}

/// <summary>
/// Wrong admin keys per client address (the <c>X-Api-Key</c> header, the console's login form, a Prometheus bearer
/// token): a token bucket of <see cref="Burst"/> tries, refilled by <see cref="PerMinute"/> a minute.
/// </summary>
public sealed class WrongKeyLimits
{
    public int Burst { get; set; } = 20;

    public int PerMinute { get; set; } = 10;
}

/// <summary>Refuses settings the API could not work with, naming the setting and the fix.</summary>
public sealed class ApiOptionsValidator(IHostEnvironment environment) : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        const string s = ApiOptions.Section;
        var errors = new List<string>();
        if (options.MinKeyLength is < ApiOptions.LeastKeyLength or > ApiOptions.MaxKeyLength)
        {
            errors.Add($"{s}:MinKeyLength is {options.MinKeyLength}; set between {ApiOptions.LeastKeyLength} and {ApiOptions.MaxKeyLength}.");
        }
        else if (!string.IsNullOrEmpty(options.Key))
        {
            if (ApiKey.Problem(options.Key, options.MinKeyLength) is { } problem)
            {
                errors.Add($"{s}:Key {problem} Use a long random key, or leave it empty to have one generated into {s}:KeyFile.");
            }
        }
        else if (ApiKey.FileProblem(Path.GetFullPath(options.KeyFile, environment.ContentRootPath), options.MinKeyLength) is { } problem)
        {
            errors.Add($"{s}:KeyFile {problem}");
        }

        if (options.MaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            errors.Add($"{s}:MaxBodyBytes is {options.MaxBodyBytes}; set between 1024 and 67108864 bytes.");
        }

        if (options.MaxReplyWait <= TimeSpan.Zero)
        {
            errors.Add($"{s}:MaxReplyWait must be a positive time such as 00:00:30.");
        }

        if (options.WrongKeys.Burst is < 1 or > 10_000)
        {
            errors.Add($"{s}:WrongKeys:Burst is {options.WrongKeys.Burst}; set between 1 and 10000.");
        }

        if (options.WrongKeys.PerMinute is < 1 or > 10_000)
        {
            errors.Add($"{s}:WrongKeys:PerMinute is {options.WrongKeys.PerMinute}; set between 1 and 10000.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
