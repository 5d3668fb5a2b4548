using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Components;

/// <summary>Some of a component's revisions, and how many it has in all.</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.ComponentRevisionPage")]
public sealed record ComponentRevisionPage(
    [property: Id(0)] IReadOnlyList<ComponentRevision> Revisions,
    [property: Id(1)] int Total);
