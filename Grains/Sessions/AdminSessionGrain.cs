using FlowActors.Grains.Interfaces.Sessions;

namespace FlowActors.Grains.Sessions;

/// <summary>
/// Keeps whether one console session is active. An allow-list rather than a list of revoked sessions: what is lost
/// (a restart of the embedded profile's in-memory storage) logs people out, and never brings an ended session back.
/// </summary>
public sealed class AdminSessionGrain(
    [PersistentState("session", StorageNames.Grains)] IPersistentState<AdminSessionState> state,
    TimeProvider time) : Grain, IAdminSessionGrain
{
    public async Task StartAsync(DateTimeOffset expiresAt)
    {
        state.State.ExpiresAt = expiresAt;
        await state.WriteStateAsync();
    }

    public Task<bool> IsActiveAsync() => Task.FromResult(state.State.ExpiresAt is { } expires && expires > time.GetUtcNow());

    public async Task EndAsync()
    {
        state.State.ExpiresAt = null;
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}
