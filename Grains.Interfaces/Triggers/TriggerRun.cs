using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Triggers;

/// <summary>What a flow tells its triggers when it starts: which run, and its entry step (a schedule invokes that step's trigger).</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.TriggerRun")]
public sealed record TriggerRun(
    [property: Id(0)] string RunId,
    [property: Id(1)] string EntryStepId,
    [property: Id(2)] FlowMode Mode,
    [property: Id(3)] DateTimeOffset StartedAt);
