using System.Text.Json.Serialization;

namespace FlowActors.Client;

// An edge that routes nothing reads {"from","to"} in the API and flow files: when and otherwise are written only when set.

/// <summary>Data emitted by step <paramref name="From"/> is passed on to step <paramref name="To"/>.</summary>
/// <param name="When">
/// A JSONata condition on each output of <paramref name="From"/> (<c>$</c> is its body, <c>$headers</c> its headers): the
/// output takes this edge when it holds (jsonata's <c>$boolean</c>). Null: every output takes it.
/// </param>
/// <param name="Otherwise">The output takes this edge when no <c>when</c> condition of the step's edges held; one per step.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.FlowEdge")]
public sealed record FlowEdge(
    [property: Id(0)] string From,
    [property: Id(1)] string To,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] string? When = null,
    [property: Id(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Otherwise = false)
{
    /// <summary>True when not every output takes the edge: it has a condition, or is the step's otherwise.</summary>
    [JsonIgnore]
    public bool IsRouted => When is not null || Otherwise;
}
