using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Triggers;

/// <summary>How flows' triggers (schedules, Service Bus) run. Bound from configuration section <c>FlowActors:Triggers</c>.</summary>
public sealed class TriggerOptions
{
    public const string Section = "FlowActors:Triggers";

    /// <summary>
    /// Period of the reminder every active trigger keeps: the durable heartbeat that brings a trigger back after its silo
    /// went away (a schedule's missed tick fires then, a Service Bus receiver reopens). At least Orleans'
    /// <see cref="ReminderOptions.MinimumReminderPeriod"/> (1 minute by default). Ticks closer than this come from a
    /// grain timer while the trigger's grain is active.
    /// </summary>
    public TimeSpan HeartbeatPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Shortest interval a schedule may have.</summary>
    public TimeSpan MinimumInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest one receive call waits for a Service Bus message before it asks again.</summary>
    public TimeSpan ReceiveWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A session with no message for this long is released, so that the receiver can take another.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a stopping Service Bus trigger (its flow stopped, its silo shutting down) waits for the hand-overs in
    /// progress before it gives their messages back. Keep it well under the entities' lock duration.
    /// </summary>
    public TimeSpan HandOverGrace { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Refuses trigger options that cannot work, at silo start, naming the setting.</summary>
public sealed class TriggerOptionsValidator(IOptions<ReminderOptions> reminders) : IValidateOptions<TriggerOptions>
{
    public ValidateOptionsResult Validate(string? name, TriggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var minimum = reminders.Value.MinimumReminderPeriod;
        if (options.HeartbeatPeriod < minimum || options.HeartbeatPeriod <= TimeSpan.Zero)
        {
            failures.Add(
                $"{TriggerOptions.Section}:{nameof(options.HeartbeatPeriod)} is {options.HeartbeatPeriod}; it is a reminder's period, which Orleans " +
                $"refuses below {nameof(ReminderOptions)}.{nameof(ReminderOptions.MinimumReminderPeriod)} ({minimum}). Raise it to at least that.");
        }

        Positive(options.MinimumInterval, nameof(options.MinimumInterval));
        Positive(options.ReceiveWait, nameof(options.ReceiveWait));
        Positive(options.SessionIdleTimeout, nameof(options.SessionIdleTimeout));
        Positive(options.HandOverGrace, nameof(options.HandOverGrace));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string field)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{TriggerOptions.Section}:{field} must be a positive duration such as 00:00:05; it is {value}.");
            }
        }
    }
}
