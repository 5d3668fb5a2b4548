using Microsoft.Extensions.Options;

namespace FlowActors.Silo.AdminConsole;

/// <summary>The admin console and the Orleans dashboard. Bound from <c>FlowActors:Console</c>.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "FlowActors:Console";

    /// <summary>How long a console login lasts before the key must be entered again.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Whether the silo hosts the Orleans dashboard at <c>/dashboard</c>. Its grain profiler times every grain
    /// call; turn it off where that matters (benchmarks).
    /// </summary>
    public bool Dashboard { get; set; } = true;
}

/// <summary>Refuses console settings that cannot work, naming the setting and the fix.</summary>
public sealed class ConsoleOptionsValidator : IValidateOptions<ConsoleOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleOptions options) =>
        options.SessionLifetime < TimeSpan.FromSeconds(10) || options.SessionLifetime > TimeSpan.FromDays(30)
            ? ValidateOptionsResult.Fail($"{ConsoleOptions.Section}:SessionLifetime is {options.SessionLifetime}; set between 00:00:10 and 30.00:00:00.")
            : ValidateOptionsResult.Success;
}
