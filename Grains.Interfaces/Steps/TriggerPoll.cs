using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Steps;

/// <summary>One tick of a schedule, for the entry step's trigger.</summary>
/// <param name="RunId">The flow run the schedule ticks for; a step of another run refuses the poll.</param>
/// <param name="Message">What the trigger is called with: the tick's due time and number, as body and headers.</param>
/// <param name="Snapshot">The snapshot the previous tick left (JSON), or null.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.TriggerPoll")]
public sealed record TriggerPoll(
    [property: Id(0)] string RunId,
    [property: Id(1)] FlowMessage Message,
    [property: Id(2)] string? Snapshot);

/// <summary>What came of a <see cref="TriggerPoll"/>.</summary>
/// <param name="SnapshotEmitted">The trigger emitted a snapshot (<see cref="Snapshot"/>, possibly null), to store for the next tick.</param>
/// <param name="Emitted">Messages the trigger emitted (they went on to the next steps, or out as the flow's outputs).</param>
/// <param name="Error">Why the trigger failed (its call failed, or it emitted an error), or null.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.TriggerPollResult")]
public sealed record TriggerPollResult(
    [property: Id(0)] bool SnapshotEmitted,
    [property: Id(1)] string? Snapshot,
    [property: Id(2)] int Emitted,
    [property: Id(3)] string? Error);
