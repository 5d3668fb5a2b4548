using FlowActors.Grains.Interfaces.Catalog;

namespace FlowActors.Grains.Catalog;

/// <summary>Every component id with a deployed revision.</summary>
public sealed class ComponentCatalogGrain([PersistentState("component-catalog", StorageNames.Grains)] IPersistentState<CatalogState> state)
    : CatalogGrainBase(state), IComponentCatalogGrain;
