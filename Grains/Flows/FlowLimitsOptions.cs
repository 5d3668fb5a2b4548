using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Flows;

/// <summary>Bounds on the work one message may cause. Bound from <c>FlowActors:Flows</c>.</summary>
public sealed class FlowLimitsOptions
{
    public const string Section = "FlowActors:Flows";

    /// <summary>
    /// Most step calls one message may cause in an execution. A definition whose fan-out alone exceeds it (every step
    /// emitting one message per call) is refused when saved, published and started.
    /// </summary>
    public int MaxMessagesPerExecution { get; set; } = FlowValidator.DefaultMaxMessagesPerExecution;
}

/// <summary>Refuses limits that would refuse every flow or none.</summary>
public sealed class FlowLimitsOptionsValidator : IValidateOptions<FlowLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, FlowLimitsOptions options) =>
        options.MaxMessagesPerExecution is < 1 or > 1_000_000
            ? ValidateOptionsResult.Fail($"{FlowLimitsOptions.Section}:MaxMessagesPerExecution is {options.MaxMessagesPerExecution}; set between 1 and 1000000 (a chain of n steps needs n).")
            : ValidateOptionsResult.Success;
}
