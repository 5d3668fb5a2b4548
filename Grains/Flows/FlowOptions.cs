using FlowActors.Client;
using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Flows;

/// <summary>How flows look after their runs. Bound from configuration section <c>FlowActors:Flows</c>.</summary>
public sealed class FlowOptions
{
    public const string Section = "FlowActors:Flows";

    /// <summary>
    /// How often a running real-time flow asks its steps where they are (an Orleans reminder, so it also brings the flow
    /// grain back after a deactivation): a step lost with its silo is re-established within this period, without
    /// waiting for a message. At least Orleans' <see cref="ReminderOptions.MinimumReminderPeriod"/> (1 minute by default).
    /// </summary>
    public TimeSpan ReconcilePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// While a real-time flow warms up, or a step of a running one is not ready (its container replaced, its activation
    /// moved to another silo), how often the flow asks its steps again. A step says it is ready with a one-way call, which
    /// can be lost (a cluster still agreeing on its members); without this the flow would wait for its reminder, and its
    /// status would show the step as not ready meanwhile.
    /// </summary>
    public TimeSpan WarmUpRecheck { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The flow's backlog: executions accepted and not yet finished. Beyond it a message is refused
    /// (<see cref="FlowBusyException"/>; HTTP 429, 503 while the flow warms up) instead of piling up
    /// in memory.
    /// </summary>
    public int MaxInFlight { get; set; } = 1000;

    /// <summary>
    /// An execution with no outcome after this long (its message was lost with a silo) stops counting as in flight,
    /// is counted as expired, and frees its place in the backlog.
    /// </summary>
    public TimeSpan InFlightTimeout { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Refuses flow options that cannot work, at silo start.</summary>
public sealed class FlowOptionsValidator(IOptions<ReminderOptions> reminders) : IValidateOptions<FlowOptions>
{
    public ValidateOptionsResult Validate(string? name, FlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxInFlight is < 1 or > 1_000_000)
        {
            return ValidateOptionsResult.Fail(
                $"{FlowOptions.Section}:{nameof(options.MaxInFlight)} is {options.MaxInFlight}; set it between 1 and 1000000 (executions in flight per flow before messages are refused with 429).");
        }

        if (options.InFlightTimeout < TimeSpan.FromSeconds(1))
        {
            return ValidateOptionsResult.Fail(
                $"{FlowOptions.Section}:{nameof(options.InFlightTimeout)} is {options.InFlightTimeout}; set it to at least 00:00:01 (how long an execution may go without an outcome before it no longer counts as in flight).");
        }

        if (options.WarmUpRecheck < TimeSpan.FromMilliseconds(100))
        {
            return ValidateOptionsResult.Fail(
                $"{FlowOptions.Section}:{nameof(options.WarmUpRecheck)} is {options.WarmUpRecheck}; set it to at least 00:00:00.1 (how often a warming real-time flow asks its steps again).");
        }

        var minimum = reminders.Value.MinimumReminderPeriod;
        if (options.ReconcilePeriod <= TimeSpan.Zero || options.ReconcilePeriod < minimum)
        {
            return ValidateOptionsResult.Fail(
                $"{FlowOptions.Section}:{nameof(options.ReconcilePeriod)} must be positive and at least Orleans' " +
                $"{nameof(ReminderOptions)}.{nameof(ReminderOptions.MinimumReminderPeriod)} ({minimum}); it is {options.ReconcilePeriod}. " +
                "It is the period of a reminder, which Orleans refuses below that minimum: raise ReconcilePeriod or lower MinimumReminderPeriod.");
        }

        return ValidateOptionsResult.Success;
    }
}
