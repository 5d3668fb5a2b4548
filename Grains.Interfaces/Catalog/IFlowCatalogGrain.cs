namespace FlowActors.Grains.Interfaces.Catalog;

/// <summary>
/// The ids of every flow that ever had a draft saved, for listings. One per cluster: key 0
/// (<see cref="CatalogKeys.Cluster"/>). Flows register themselves; nothing else writes here.
/// </summary>
[Alias("FlowActors.IFlowCatalogGrain")]
public interface IFlowCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>Records <paramref name="flowId"/>; registering an id twice changes nothing.</summary>
    Task AddAsync(string flowId);

    /// <summary>Every registered flow id, in ordinal order.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> ListAsync();
}
