namespace FlowActors.Client;

/// <summary>A flow's schedule as operators see it: its settings, where it is, and what it has done.</summary>
/// <param name="Active">The flow runs, so the schedule ticks.</param>
/// <param name="NextTick">When the next tick is due (null while the flow is stopped).</param>
/// <param name="LastTick">The due time of the last tick that fired or was skipped, or null.</param>
/// <param name="Fired">Ticks that invoked the trigger.</param>
/// <param name="Skipped">Ticks that came due while the previous tick still ran: skipped, not stacked.</param>
/// <param name="Missed">Ticks that came due while no silo ran the schedule (all stopped); on resuming, only the newest of them fires.</param>
/// <param name="Failed">Fired ticks whose trigger failed (the snapshot stayed as it was).</param>
/// <param name="Emitted">Messages the trigger emitted, over all ticks.</param>
/// <param name="Snapshot">The trigger's snapshot (JSON) that the next tick gets, or null.</param>
/// <param name="LastError">Why the last failed tick failed, or null.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.ScheduleInfo")]
public sealed record ScheduleInfo(
    [property: Id(0)] string FlowId,
    [property: Id(1)] ScheduleSettings Settings,
    [property: Id(2)] bool Active,
    [property: Id(3)] DateTimeOffset? NextTick,
    [property: Id(4)] DateTimeOffset? LastTick,
    [property: Id(5)] long Fired,
    [property: Id(6)] long Skipped,
    [property: Id(7)] long Missed,
    [property: Id(8)] long Failed,
    [property: Id(9)] long Emitted,
    [property: Id(10)] string? Snapshot,
    [property: Id(11)] string? LastError);
