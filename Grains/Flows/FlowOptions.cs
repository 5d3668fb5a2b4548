using Microsoft.Extensions.Options;
using Orleans.Hosting;

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
}

/// <summary>Refuses flow options that cannot work, at silo start.</summary>
public sealed class FlowOptionsValidator(IOptions<ReminderOptions> reminders) : IValidateOptions<FlowOptions>
{
    public ValidateOptionsResult Validate(string? name, FlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
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
