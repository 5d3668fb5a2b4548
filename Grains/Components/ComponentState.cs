using FlowActors.Client;

namespace FlowActors.Grains.Components;

/// <summary>Persistent state of a <see cref="ComponentGrain"/>.</summary>
[GenerateSerializer, Alias("FlowActors.ComponentState")]
public sealed class ComponentState
{
    /// <summary>Every deployed revision, oldest first; revision n is at index n - 1.</summary>
    [Id(0)]
    public List<ComponentRevision> Revisions { get; set; } = [];
}
