namespace FlowActors.Client;

/// <summary>
/// What a flow does: its steps and the edges between them. The entry step is the one no edge leads to;
/// a step with several outgoing edges fans its output out to all of them. <c>Delivery</c> sets how its steps retry
/// failed messages (a step's own policy goes over it). Two definitions are equal when their
/// name, steps and edges are, in order (so a draft can be compared with what was published).
/// </summary>
[GenerateSerializer, Immutable, Alias("FlowActors.FlowDefinition")]
public sealed record FlowDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyList<StepDefinition> Steps,
    [property: Id(2)] IReadOnlyList<FlowEdge> Edges,
    [property: Id(3)] DeliveryPolicy? Delivery = null)
{
    /// <summary>A straight chain: each step feeds the next.</summary>
    public static FlowDefinition Chain(string name, params StepDefinition[] steps) =>
        new(name, steps, ChainEdges(steps));

    /// <summary>The edges of a straight chain through <paramref name="steps"/>, in their order.</summary>
    public static FlowEdge[] ChainEdges(IReadOnlyList<StepDefinition> steps) =>
        steps.Zip(steps.Skip(1), (a, b) => new FlowEdge(a.Id, b.Id)).ToArray();

    // A record compares its lists by reference; a definition is its content.
    public bool Equals(FlowDefinition? other) =>
        other is not null
        && Name == other.Name
        && (Steps ?? []).SequenceEqual(other.Steps ?? [])
        && (Edges ?? []).SequenceEqual(other.Edges ?? [])
        && Delivery == other.Delivery;

    public override int GetHashCode() => HashCode.Combine(Name, Steps?.Count ?? 0, Edges?.Count ?? 0);
}
