namespace FlowActors.Grains.Catalog;

/// <summary>Persistent state of a catalog grain: a set of ids.</summary>
[GenerateSerializer, Alias("FlowActors.CatalogState")]
public sealed class CatalogState
{
    [Id(0)]
    public SortedSet<string> Ids { get; set; } = new(StringComparer.Ordinal);
}
