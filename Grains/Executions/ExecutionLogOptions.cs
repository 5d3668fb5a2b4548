using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Executions;

/// <summary>How much of each flow's recent history is kept. Bound from <c>FlowActors:Executions</c>.</summary>
public sealed class ExecutionLogOptions
{
    public const string Section = "FlowActors:Executions";

    /// <summary>Executions kept per flow; the least recently updated go first.</summary>
    public int Capacity { get; set; } = 200;
}

/// <summary>Refuses a capacity that would keep nothing or grow without bound.</summary>
public sealed class ExecutionLogOptionsValidator : IValidateOptions<ExecutionLogOptions>
{
    public ValidateOptionsResult Validate(string? name, ExecutionLogOptions options) =>
        options.Capacity is < 1 or > 100_000
            ? ValidateOptionsResult.Fail(
                $"{ExecutionLogOptions.Section}:Capacity is {options.Capacity}; set it between 1 and 100000 (executions kept per flow).")
            : ValidateOptionsResult.Success;
}
