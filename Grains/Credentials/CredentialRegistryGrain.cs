using FlowActors.Client;
using FlowActors.Grains.Interfaces.Credentials;
using FlowActors.Grains.Interfaces.Secrets;
using FlowActors.Grains.Registries;
using FlowActors.Grains.Secrets;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Credentials;

/// <summary>
/// Keeps every named credential, sealed field by field as it arrives, and tells the silos' copies
/// (<see cref="CredentialDirectory"/>) of each change before the change is confirmed to the caller, so that a rotated
/// credential reaches the next call of every step that names it. Values never leave it except sealed.
/// </summary>
public sealed partial class CredentialRegistryGrain(
    [PersistentState("credentials", StorageNames.Grains)] IPersistentState<CredentialRegistryState> state,
    SecretSealer sealer,
    TimeProvider time,
    ILogger<CredentialRegistryGrain> logger) : Grain, ICredentialRegistryGrain
{
    private readonly RegistryObservers<ICredentialObserver> _observers = new(time, CredentialRegistry.SubscriptionLifetime);

    public async Task<CredentialInfo> SetAsync(string credentialId, CredentialValues values, bool replace)
    {
        if (CredentialRules.Problem(credentialId, values, replace) is { } problem)
        {
            throw new ArgumentException(problem, nameof(values));
        }

        var now = time.GetUtcNow();
        var before = state.State.Credentials.GetValueOrDefault(credentialId);
        var fields = replace || before is null ? new Dictionary<string, SealedSecret>(StringComparer.Ordinal) : new(before.Fields, StringComparer.Ordinal);
        var changedAt = replace || before is null ? new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal) : new(before.FieldsChangedAt, StringComparer.Ordinal);
        foreach (var (name, value) in values.Fields)
        {
            if (value is null)
            {
                fields.Remove(name);
                changedAt.Remove(name);
            }
            else
            {
                fields[name] = sealer.SealCredentialField(credentialId, name, value);
                changedAt[name] = now;
            }
        }

        if (fields.Count == 0)
        {
            throw new ArgumentException($"fields: credential '{credentialId}' would have no field left; delete it instead (DELETE /api/credentials/{credentialId}).", nameof(values));
        }

        var credential = new SealedCredential(credentialId, fields, changedAt, before?.CreatedAt ?? now, (before?.Revision ?? 0) + 1);
        await ChangeAsync(credentialId, credential);
        LogSet(logger, credentialId, credential.Revision, values.Fields.Keys.Count());
        return credential.Describe();
    }

    public async Task<bool> DeleteAsync(string credentialId)
    {
        if (!state.State.Credentials.ContainsKey(credentialId))
        {
            return false;
        }

        await ChangeAsync(credentialId, null);
        LogDeleted(logger, credentialId);
        return true;
    }

    public Task<CredentialInfo?> GetAsync(string credentialId) =>
        Task.FromResult(state.State.Credentials.GetValueOrDefault(credentialId)?.Describe());

    public Task<IReadOnlyList<CredentialInfo>> ListAsync() =>
        Task.FromResult<IReadOnlyList<CredentialInfo>>([.. state.State.Credentials.Values.OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => c.Describe())]);

    public Task<CredentialSnapshot> GetSnapshotAsync() =>
        Task.FromResult(new CredentialSnapshot(state.State.Version, new Dictionary<string, SealedCredential>(state.State.Credentials)));

    public Task<long> SubscribeAsync(ICredentialObserver observer)
    {
        _observers.Subscribe(observer);

        // A new activation would not know whom to tell of a change: stay while copies depend on this one.
        DelayDeactivation(CredentialRegistry.SubscriptionLifetime);
        return Task.FromResult(state.State.Version);
    }

    public Task UnsubscribeAsync(ICredentialObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    private async Task ChangeAsync(string credentialId, SealedCredential? credential)
    {
        var credentials = state.State.Credentials;
        var before = credentials.GetValueOrDefault(credentialId);
        Set(credential);
        state.State.Version++;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // What was not stored must not be used, nor a removal forgotten at the next activation.
            Set(before);
            state.State.Version--;
            throw;
        }

        var change = new CredentialChange(state.State.Version, credentialId, credential);
        await _observers.NotifyAsync(observer => observer.OnChangedAsync(change), e => LogNotifyFailed(logger, credentialId, change.Version, e));

        void Set(SealedCredential? value)
        {
            if (value is null)
            {
                credentials.Remove(credentialId);
            }
            else
            {
                credentials[credentialId] = value;
            }
        }
    }

    [LoggerMessage(EventId = 9110, Level = LogLevel.Information, Message = "Credential {CredentialId} was set (revision {Revision}, {FieldCount} fields given)")]
    private static partial void LogSet(ILogger logger, string credentialId, long revision, int fieldCount);

    [LoggerMessage(EventId = 9111, Level = LogLevel.Information, Message = "Credential {CredentialId} was deleted")]
    private static partial void LogDeleted(ILogger logger, string credentialId);

    [LoggerMessage(EventId = 9112, Level = LogLevel.Warning, Message = "A silo's credential copy was not told of the change of {CredentialId} (version {Version}); it catches up when it renews its subscription")]
    private static partial void LogNotifyFailed(ILogger logger, string credentialId, long version, Exception exception);
}
