using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Delivery;

/// <summary>How many dead letters each flow keeps. Bound from <c>FlowActors:DeadLetters</c>.</summary>
public sealed class DeadLetterOptions
{
    public const string Section = "FlowActors:DeadLetters";

    /// <summary>
    /// Dead letters kept per flow, the newest; the oldest are dropped to make room and counted
    /// (<see cref="Interfaces.Delivery.DeadLetterCounts.Dropped"/>). Each is stored with its whole body, so this times the
    /// largest accepted body bounds a flow's stored dead letters.
    /// </summary>
    public int Capacity { get; set; } = 1000;
}

/// <summary>Refuses a capacity that would keep nothing or grow without bound.</summary>
public sealed class DeadLetterOptionsValidator : IValidateOptions<DeadLetterOptions>
{
    public ValidateOptionsResult Validate(string? name, DeadLetterOptions options) =>
        options.Capacity is < 1 or > 100_000
            ? ValidateOptionsResult.Fail(
                $"{DeadLetterOptions.Section}:{nameof(options.Capacity)} is {options.Capacity}; set it between 1 and 100000 (dead letters kept per flow).")
            : ValidateOptionsResult.Success;
}
