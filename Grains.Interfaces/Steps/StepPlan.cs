using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Steps;

/// <summary>What a step grain needs to run its step in the flow's current run.</summary>
/// <param name="RunId">Changes with every start of the flow, so a step can tell a stale message or plan from a current one.</param>
/// <param name="NextSteps">Steps that receive this step's data; empty for a last step, whose data is the flow's output.</param>
/// <param name="Delivery">The step's retry policy over the flow's (null fields: the silo's defaults).</param>
/// <param name="PinnedRevision">For real-time flows, the component revision resolved when the flow started; null for ordinary flows, which use the newest.</param>
/// <param name="NextStepCalls">
/// For each of <paramref name="NextSteps"/>, the step calls one message entering it causes when every step emits one
/// message (every path from it): what its share of an execution's budget must cover at least. Null: one each.
/// </param>
/// <param name="NextEdges">The edges to <paramref name="NextSteps"/>, in the same order, with their conditions; null: every output takes every edge.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.StepPlan")]
public sealed record StepPlan(
    [property: Id(0)] string FlowId,
    [property: Id(1)] string RunId,
    [property: Id(2)] FlowMode Mode,
    [property: Id(3)] StepDefinition Step,
    [property: Id(4)] IReadOnlyList<string> NextSteps,
    [property: Id(5)] ComponentRevision? PinnedRevision,
    [property: Id(6)] IReadOnlyList<int>? NextStepCalls = null,
    [property: Id(7)] DeliveryPolicy? Delivery = null,
    [property: Id(10)] IReadOnlyList<FlowEdge>? NextEdges = null)
{
    /// <summary>True when some output may not take every edge: an edge has a condition or is an otherwise.</summary>
    public bool IsRouted => NextEdges is { } edges && edges.Any(e => e.IsRouted);

    /// <summary>The step calls a message entering next step <paramref name="index"/> causes at least.</summary>
    public int CallsOfNextStep(int index) => NextStepCalls is { } calls && index < calls.Count ? Math.Max(1, calls[index]) : 1;
}
