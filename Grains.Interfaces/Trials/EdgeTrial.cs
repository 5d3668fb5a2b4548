namespace FlowActors.Client;

/// <summary>What an edge made of one output in a try.</summary>
/// <param name="To">The step the edge leads to.</param>
/// <param name="When">Its condition, or null.</param>
/// <param name="Otherwise">It is the step's otherwise edge.</param>
/// <param name="Taken">The output took it.</param>
/// <param name="Error">Why its condition failed on the output, or null.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.EdgeTrial")]
public sealed record EdgeTrial(
    [property: Id(0)] string To,
    [property: Id(1)] string? When,
    [property: Id(2)] bool Otherwise,
    [property: Id(3)] bool Taken,
    [property: Id(4)] string? Error);
