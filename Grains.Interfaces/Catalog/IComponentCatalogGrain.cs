namespace FlowActors.Grains.Interfaces.Catalog;

/// <summary>
/// The ids of every component with at least one deployed revision, for listings. One per cluster: key 0
/// (<see cref="CatalogKeys.Cluster"/>). Components register themselves on deployment.
/// </summary>
[Alias("FlowActors.IComponentCatalogGrain")]
public interface IComponentCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>Records <paramref name="componentId"/>; registering an id twice changes nothing.</summary>
    Task AddAsync(string componentId);

    /// <summary>Every registered component id, in ordinal order.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> ListAsync();
}
