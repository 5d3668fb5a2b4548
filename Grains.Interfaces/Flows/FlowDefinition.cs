namespace FlowActors.Grains.Interfaces.Flows;

/// <summary>
/// What a flow does: its steps and the edges between them. The entry step is the one no edge leads to;
/// a step with several outgoing edges fans its output out to all of them.
/// </summary>
[GenerateSerializer, Immutable, Alias("FlowActors.FlowDefinition")]
public sealed record FlowDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyList<StepDefinition> Steps,
    [property: Id(2)] IReadOnlyList<FlowEdge> Edges)
{
    /// <summary>A straight chain: each step feeds the next.</summary>
    public static FlowDefinition Chain(string name, params StepDefinition[] steps) =>
        new(name, steps, steps.Zip(steps.Skip(1), (a, b) => new FlowEdge(a.Id, b.Id)).ToArray());
}
