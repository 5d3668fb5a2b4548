namespace FlowActors.Grains.Interfaces.Messages;

/// <summary>Headers of the message a schedule's tick hands to the entry step's trigger, and of what the trigger emits unless it sets its own.</summary>
public static class ScheduleHeaders
{
    /// <summary>The tick's due time (ISO 8601, UTC): when it should have fired, not when it did.</summary>
    public const string Tick = "schedule.tick";

    /// <summary>The tick's number: 1 for the schedule's first tick, counting every tick that fired.</summary>
    public const string Number = "schedule.number";
}
