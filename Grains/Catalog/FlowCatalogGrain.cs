using FlowActors.Grains.Interfaces.Catalog;

namespace FlowActors.Grains.Catalog;

/// <summary>Every flow id that had a draft saved.</summary>
public sealed class FlowCatalogGrain([PersistentState("flow-catalog", StorageNames.Grains)] IPersistentState<CatalogState> state)
    : CatalogGrainBase(state), IFlowCatalogGrain;
