namespace FlowActors.Client;

/// <summary>One emit of a component in a try, as the protocol says it (<c>data</c>, <c>error</c>, <c>snapshot</c>…).</summary>
/// <param name="Body">Its body as JSON text (data, snapshot, httpReply), or null.</param>
/// <param name="Edges">For a data emit: each edge of the step and whether the output took it; empty for a last step.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.TrialEmit")]
public sealed record TrialEmit(
    [property: Id(0)] string Kind,
    [property: Id(1)] string? Body,
    [property: Id(2)] IReadOnlyDictionary<string, string>? Headers,
    [property: Id(3)] string? Error,
    [property: Id(4)] int? Status,
    [property: Id(5)] IReadOnlyList<EdgeTrial> Edges);
