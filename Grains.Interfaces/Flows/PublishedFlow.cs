namespace FlowActors.Client;

/// <summary>An immutable published revision of a flow: what runs when the flow starts.</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.PublishedFlow")]
public sealed record PublishedFlow(
    [property: Id(0)] int Revision,
    [property: Id(1)] FlowDefinition Definition,
    [property: Id(2)] DateTimeOffset PublishedAt);
