namespace FlowActors.Grains.Interfaces.Catalog;

/// <summary>Keys of the catalog grains.</summary>
public static class CatalogKeys
{
    /// <summary>The one catalog of the cluster: catalogs are small (ids only), so one activation serves them.</summary>
    public const long Cluster = 0;
}
