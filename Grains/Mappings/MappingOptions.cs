using FlowActors.Mappings;
using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Mappings;

/// <summary>
/// Limits of the JSONata engines that run mappings and edge conditions (one per step activation that has either, and a
/// few shared ones that check drafts). Bound from <c>FlowActors:Mappings</c>.
/// </summary>
public sealed class MappingOptions
{
    public const string Section = "FlowActors:Mappings";

    /// <summary>
    /// Longest one evaluation may run (a batch's; a batch that runs out is tried again message by message). Over it the
    /// message fails with an error naming the step and the expression, and the step's engine is rebuilt.
    /// </summary>
    public TimeSpan Timeout { get; set; } = JsonataLimits.Default.Timeout;

    /// <summary>Largest heap one engine may grow to, in MiB; over it the message fails the same way.</summary>
    public int MaxHeapMegabytes { get; set; } = (int)(JsonataLimits.Default.MaxHeapBytes / (1024 * 1024));

    public JsonataLimits Limits => new(Timeout, MaxHeapMegabytes * 1024L * 1024);
}

/// <summary>Refuses limits that would stop every expression, or none.</summary>
public sealed class MappingOptionsValidator : IValidateOptions<MappingOptions>
{
    public ValidateOptionsResult Validate(string? name, MappingOptions options)
    {
        var errors = new List<string>();
        if (options.Timeout < TimeSpan.FromMilliseconds(10) || options.Timeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{MappingOptions.Section}:Timeout is {options.Timeout}; set between 00:00:00.010 and 00:01:00.");
        }

        if (options.MaxHeapMegabytes is < 8 or > 1024)
        {
            errors.Add($"{MappingOptions.Section}:MaxHeapMegabytes is {options.MaxHeapMegabytes}; set between 8 and 1024.");
        }

        return errors.Count > 0 ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}
