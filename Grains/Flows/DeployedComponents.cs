using FlowActors.Client;
using FlowActors.Grains.Interfaces.Components;

namespace FlowActors.Grains.Flows;

/// <summary>The newest deployed revision of each component a flow definition refers to.</summary>
internal static class DeployedComponents
{
    /// <summary>Component id → newest revision, or null when nothing is deployed under that id.</summary>
    public static async Task<Dictionary<string, ComponentRevision?>> LatestAsync(IGrainFactory grains, FlowDefinition? definition)
    {
        var lookups = FlowValidator.ReferencedComponents(definition)
            .Select(async id => (id, revision: await grains.GetGrain<IComponentGrain>(id).GetLatestAsync()));
        return (await Task.WhenAll(lookups)).ToDictionary(x => x.id, x => x.revision, StringComparer.Ordinal);
    }

    /// <summary>What <see cref="FlowValidator.Validate"/> needs of them.</summary>
    public static Dictionary<string, ComponentDescriptor?> Descriptors(Dictionary<string, ComponentRevision?> latest) =>
        latest.ToDictionary(p => p.Key, p => p.Value?.Descriptor, StringComparer.Ordinal);
}
