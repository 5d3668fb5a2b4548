using System.Collections.Concurrent;
using System.Collections.Immutable;
using FlowActors.Grains.Interfaces.Credentials;
using FlowActors.Grains.Registries;
using FlowActors.Grains.Secrets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Credentials;

/// <summary>
/// This silo's copy of the credentials, so that a step hands its component the credential with every call without a
/// grain call or a storage read: sealed credentials as the registry has them, each opened on its first use and kept
/// opened in memory until it changes. Told of every change by the registry (<see cref="ICredentialObserver"/>) before the
/// change is confirmed, so the next call after a rotation carries the new values; checked against the registry's
/// version whenever the subscription is renewed, so a change it was not told of is picked up within seconds.
/// </summary>
public sealed partial class CredentialDirectory(IGrainFactory grains, SecretSealer sealer, ILogger<CredentialDirectory> logger)
    : BackgroundService, ICredentialObserver
{
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, (SealedCredential Source, ComponentCredential Open)> _opened = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, SealedCredential> _credentials = ImmutableDictionary.Create<string, SealedCredential>(StringComparer.Ordinal);
    private long _version = -1;

    /// <summary>
    /// The credential's current values, opened. Throws <see cref="CredentialMissingException"/> when there is no such
    /// credential, <see cref="SecretUnreadableException"/> when this silo's key ring cannot open it.
    /// </summary>
    public async ValueTask<ComponentCredential> GetAsync(string credentialId, CancellationToken cancellationToken)
    {
        if (!_loaded.Task.IsCompleted)
        {
            _wake.Release();
            await _loaded.Task.WaitAsync(LoadTimeout, cancellationToken);
        }

        if (!_credentials.TryGetValue(credentialId, out var current))
        {
            throw new CredentialMissingException(credentialId);
        }

        if (_opened.TryGetValue(credentialId, out var opened) && ReferenceEquals(opened.Source, current))
        {
            return opened.Open;
        }

        var fields = current.Fields.ToDictionary(f => f.Key, f => sealer.OpenCredentialField(credentialId, f.Key, f.Value), StringComparer.Ordinal);
        var open = new ComponentCredential(credentialId, current.Revision, fields);

        // Kept against the sealed credential it came from: a change that lands meanwhile is never masked by it.
        _opened[credentialId] = (current, open);
        return open;
    }

    public Task OnChangedAsync(CredentialChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            if (change.Version == _version + 1)
            {
                _credentials = change.Credential is null ? _credentials.Remove(change.CredentialId) : _credentials.SetItem(change.CredentialId, change.Credential);
                _opened.TryRemove(change.CredentialId, out _);
                _version = change.Version;
                return Task.CompletedTask;
            }

            if (change.Version <= _version)
            {
                return Task.CompletedTask; // already known
            }

            // A change was missed: nothing of this one is served until the copy is reloaded.
            _credentials = _credentials.Remove(change.CredentialId);
            _opened.TryRemove(change.CredentialId, out _);
        }

        _wake.Release();
        return Task.CompletedTask;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var registry = grains.GetGrain<ICredentialRegistryGrain>(CredentialRegistry.Key);
        return RegistryCopy.KeepCurrentAsync<ICredentialObserver>(
            grains,
            this,
            CredentialRegistry.SubscriptionLifetime,
            _wake,
            () => _loaded.Task.IsCompleted,
            registry.SubscribeAsync,
            async version =>
            {
                if (version != Interlocked.Read(ref _version))
                {
                    Load(await registry.GetSnapshotAsync());
                }
            },
            registry.UnsubscribeAsync,
            e => LogSyncFailed(logger, e),
            stoppingToken);
    }

    private void Load(CredentialSnapshot snapshot)
    {
        lock (_gate)
        {
            if (snapshot.Version >= _version)
            {
                _credentials = snapshot.Credentials.ToImmutableDictionary(StringComparer.Ordinal);
                _opened.Clear();
                _version = snapshot.Version;
            }
        }

        _loaded.TrySetResult();
    }

    [LoggerMessage(EventId = 9113, Level = LogLevel.Warning, Message = "Could not bring this silo's copy of the credentials up to date; trying again")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}
