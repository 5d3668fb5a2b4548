namespace FlowActors.Client;

/// <summary>Data emitted by step <paramref name="From"/> is passed on to step <paramref name="To"/>.</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.FlowEdge")]
public sealed record FlowEdge([property: Id(0)] string From, [property: Id(1)] string To);
