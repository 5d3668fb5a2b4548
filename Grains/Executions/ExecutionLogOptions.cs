using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Executions;

/// <summary>How much of each flow's recent history is kept. Bound from <c>FlowActors:Executions</c>.</summary>
public sealed class ExecutionLogOptions
{
    public const string Section = "FlowActors:Executions";

    public const int DefaultMaxOutputBytes = 8 * 1024;

    /// <summary>Executions kept per flow; the least recently updated go first.</summary>
    public int Capacity { get; set; } = 200;

    /// <summary>
    /// Bytes of output bodies kept per execution, all its outputs together; a body that does not fit is cut and
    /// marked truncated. 0 keeps none. A flow's log holds at most <see cref="Capacity"/> × this (1.6 MB by default).
    /// </summary>
    public int MaxOutputBytes { get; set; } = DefaultMaxOutputBytes;
}

/// <summary>Refuses a capacity that would keep nothing or grow without bound, and an output budget out of range.</summary>
public sealed class ExecutionLogOptionsValidator : IValidateOptions<ExecutionLogOptions>
{
    public ValidateOptionsResult Validate(string? name, ExecutionLogOptions options)
    {
        const string s = ExecutionLogOptions.Section;
        var errors = new List<string>();
        if (options.Capacity is < 1 or > 100_000)
        {
            errors.Add($"{s}:Capacity is {options.Capacity}; set it between 1 and 100000 (executions kept per flow).");
        }

        if (options.MaxOutputBytes is < 0 or > 1024 * 1024)
        {
            errors.Add($"{s}:MaxOutputBytes is {options.MaxOutputBytes}; set it between 0 (keep no bodies) and 1048576 bytes per execution.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
