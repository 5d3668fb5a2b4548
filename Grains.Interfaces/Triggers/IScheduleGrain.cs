using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Triggers;

/// <summary>
/// A flow's schedule (key: the flow id). While the flow runs, each tick invokes the entry step's trigger with the
/// snapshot the previous tick left, and stores the one it emits. Ticks are driven by an Orleans reminder (so the
/// schedule survives restarts and failover, and fires on one silo) and, between reminder ticks, by a grain timer.
/// </summary>
[Alias("FlowActors.IScheduleGrain")]
public interface IScheduleGrain : IFlowTriggerGrain
{
    /// <summary>Validates and stores the schedule; a running flow follows it from its next tick. Throws <see cref="TriggerValidationException"/>.</summary>
    Task<ScheduleInfo> ConfigureAsync(ScheduleSettings settings);

    /// <summary>The schedule and its counters, or null when the flow has none.</summary>
    [AlwaysInterleave]
    Task<ScheduleInfo?> GetAsync();

    /// <summary>Stops the schedule and forgets it, snapshot included.</summary>
    Task RemoveAsync();
}
