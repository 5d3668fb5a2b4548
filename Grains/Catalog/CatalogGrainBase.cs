namespace FlowActors.Grains.Catalog;

/// <summary>A persisted set of ids. The flow and component catalogs differ only in their interface and storage key.</summary>
public abstract class CatalogGrainBase(IPersistentState<CatalogState> state) : Grain
{
    public async Task AddAsync(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (!state.State.Ids.Add(id))
        {
            return; // the common case: every save of a draft registers again
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Ids.Remove(id);
            throw;
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.Ids.ToArray());
}
