using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Steps;

/// <summary>How steps run their containers. Bound from configuration section <c>FlowActors:Steps</c>.</summary>
public sealed class StepOptions
{
    public const string Section = "FlowActors:Steps";

    /// <summary>An ordinary step's activation (and its container) goes away after this long without a message.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest a container may take from start to answering its health probe.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a starting container's health probe is tried.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Longest a component may take to answer one message.</summary>
    public TimeSpan InvokeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a container lease lasts unless renewed; renewed at half-time while the step holds it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many times a message a component rebounds is tried again before it counts as an error.</summary>
    public int MaxRebounds { get; set; } = 5;

    /// <summary>
    /// Most messages a real-time step sends its component in one call (<c>POST /invoke/batch</c>). A step batches only
    /// what queued up while its previous call was in flight, so one message in flight still goes alone.
    /// </summary>
    public int MaxBatchSize { get; set; } = 128;

    /// <summary>
    /// Most messages a real-time step holds received but not yet processed; beyond it the step's stream waits
    /// (back-pressure), so a burst does not fill the silo's memory.
    /// </summary>
    public int InboxCapacity { get; set; } = 1024;
}

/// <summary>Refuses step options that cannot work, at silo start.</summary>
public sealed class StepOptionsValidator : IValidateOptions<StepOptions>
{
    public ValidateOptionsResult Validate(string? name, StepOptions options)
    {
        var failures = new List<string>();
        Positive(options.IdleTimeout, nameof(options.IdleTimeout));
        Positive(options.StartTimeout, nameof(options.StartTimeout));
        Positive(options.ProbeInterval, nameof(options.ProbeInterval));
        Positive(options.InvokeTimeout, nameof(options.InvokeTimeout));
        if (options.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{StepOptions.Section}:{nameof(options.LeaseDuration)} must be at least 1 second; it is {options.LeaseDuration}.");
        }

        if (options.MaxRebounds < 0)
        {
            failures.Add($"{StepOptions.Section}:{nameof(options.MaxRebounds)} must not be negative; it is {options.MaxRebounds}.");
        }

        if (options.MaxBatchSize < 1)
        {
            failures.Add($"{StepOptions.Section}:{nameof(options.MaxBatchSize)} must be at least 1; it is {options.MaxBatchSize}.");
        }

        if (options.InboxCapacity < options.MaxBatchSize)
        {
            failures.Add($"{StepOptions.Section}:{nameof(options.InboxCapacity)} must be at least {nameof(options.MaxBatchSize)} ({options.MaxBatchSize}); it is {options.InboxCapacity}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string field)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{StepOptions.Section}:{field} must be a positive duration; it is {value}.");
            }
        }
    }
}
