using FlowActors.Client;
using FlowActors.Grains.Interfaces.Triggers;

namespace FlowActors.Grains.Triggers.Schedules;

/// <summary>
/// Persistent state of a <see cref="ScheduleGrain"/>. <see cref="LastTick"/> is written before a tick fires, so that
/// whichever activation holds the schedule, a due time fires at most once (a concurrent writer fails on the ETag).
/// </summary>
[GenerateSerializer, Alias("FlowActors.ScheduleState")]
public sealed class ScheduleState
{
    /// <summary>The schedule, or null when the flow has none.</summary>
    [Id(0)]
    public ScheduleSettings? Settings { get; set; }

    /// <summary>The flow's current run, or null while the flow is stopped.</summary>
    [Id(1)]
    public TriggerRun? Run { get; set; }

    /// <summary>Where an interval schedule's ticks count from: the run's start, or when the schedule last changed.</summary>
    [Id(2)]
    public DateTimeOffset Anchor { get; set; }

    /// <summary>The due time of the last tick fired or skipped; null before the run's first.</summary>
    [Id(3)]
    public DateTimeOffset? LastTick { get; set; }

    /// <summary>The trigger's snapshot (JSON) for the next tick.</summary>
    [Id(4)]
    public string? Snapshot { get; set; }

    [Id(5)]
    public long Fired { get; set; }

    [Id(6)]
    public long Skipped { get; set; }

    [Id(7)]
    public long Missed { get; set; }

    [Id(8)]
    public long Failed { get; set; }

    [Id(9)]
    public long Emitted { get; set; }

    [Id(10)]
    public string? LastError { get; set; }
}
