using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>The HTTP API (and the body limit webhooks share with it). Bound from <c>FlowActors:Api</c>.</summary>
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

        if (options.MaxReplyWait <= TimeSpan.Zero)
        {
            errors.Add($"{s}:MaxReplyWait must be a positive time such as 00:00:30.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
