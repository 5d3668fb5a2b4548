using System.Text;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Webhooks;
using FlowActors.Grains.Registries;
using FlowActors.Grains.Secrets;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Webhooks;

/// <summary>
/// Keeps every flow's webhook, and tells the silos' copies of each change before the change is confirmed to the caller,
/// so that a rotated secret is refused everywhere as soon as the rotation returns. A copy that could not be told (its
/// silo did not answer) is dropped and finds the change when it renews its subscription. Secrets are stored sealed
/// (<see cref="SecretSealer"/>) and opened into this activation's memory; a registry stored by a version that kept them
/// in plain text is sealed when it activates.
/// </summary>
public sealed partial class WebhookRegistryGrain(
    [PersistentState("webhooks", StorageNames.Grains)] IPersistentState<WebhookRegistryState> state,
    SecretSealer sealer,
    TimeProvider time,
    ILogger<WebhookRegistryGrain> logger) : Grain, IWebhookRegistryGrain
{
    private readonly RegistryObservers<IWebhookObserver> _observers = new(time, WebhookRegistry.SubscriptionLifetime);

    /// <summary>The webhooks with their secrets opened: what the silos' copies get. Never stored.</summary>
    private readonly Dictionary<string, WebhookEntry> _webhooks = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stored = state.State;
        if (stored.Webhooks.Count > 0)
        {
            foreach (var (flowId, plain) in stored.Webhooks)
            {
                stored.Sealed[flowId] = Seal(flowId, plain);
            }

            var migrated = stored.Webhooks.Count;
            stored.Webhooks.Clear();
            await state.WriteStateAsync(cancellationToken);
            LogSealedPlainSecrets(logger, migrated);
        }

        foreach (var (flowId, webhook) in stored.Sealed)
        {
            try
            {
                _webhooks[flowId] = new WebhookEntry(sealer.OpenWebhookSecret(flowId, webhook.Secret), webhook.AllowedReplyHeaders, webhook.RotatedAt);
            }
            catch (SecretUnreadableException e)
            {
                // One unreadable secret must not take every webhook down: this one answers as unknown until rotated.
                LogSecretUnreadable(logger, flowId, e);
            }
        }
    }

    public async Task<string> RotateSecretAsync(string flowId, string[]? allowedReplyHeaders)
    {
        if (!FlowValidator.IsValidId(flowId))
        {
            throw new ArgumentException($"'{FlowValidator.Quote(flowId)}' is not a valid flow id.", nameof(flowId));
        }

        if (allowedReplyHeaders is not null && WebhookReplyHeaders.ProblemWithAllowed(allowedReplyHeaders) is { } problem)
        {
            throw new ArgumentException(problem, nameof(allowedReplyHeaders));
        }

        var secret = WebhookCredentials.NewSecret();
        var headers = allowedReplyHeaders?.ToArray() ?? state.State.Sealed.GetValueOrDefault(flowId)?.AllowedReplyHeaders ?? [];
        await ChangeAsync(flowId, new WebhookEntry(Encoding.UTF8.GetBytes(secret), headers, time.GetUtcNow()));
        return secret;
    }

    public Task DeleteAsync(string flowId) =>
        state.State.Sealed.ContainsKey(flowId) ? ChangeAsync(flowId, null) : Task.CompletedTask;

    public Task<bool> ExistsAsync(string flowId) => Task.FromResult(state.State.Sealed.ContainsKey(flowId));

    public Task<WebhookSnapshot> GetSnapshotAsync() =>
        Task.FromResult(new WebhookSnapshot(state.State.Version, new Dictionary<string, WebhookEntry>(_webhooks)));

    public Task<long> SubscribeAsync(IWebhookObserver observer)
    {
        _observers.Subscribe(observer);
        return Task.FromResult(state.State.Version);
    }

    public Task UnsubscribeAsync(IWebhookObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    private async Task ChangeAsync(string flowId, WebhookEntry? entry)
    {
        var stored = state.State.Sealed;
        var before = (Stored: stored.GetValueOrDefault(flowId), Open: _webhooks.GetValueOrDefault(flowId));
        Set(flowId, entry is null ? null : Seal(flowId, entry), entry);
        state.State.Version++;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // A secret that was not stored must not be accepted, nor a removal forgotten at the next activation.
            Set(flowId, before.Stored, before.Open);
            state.State.Version--;
            throw;
        }

        var change = new WebhookChange(state.State.Version, flowId, entry);
        await _observers.NotifyAsync(observer => observer.OnChangedAsync(change), e => LogNotifyFailed(logger, flowId, change.Version, e));

        void Set(string id, StoredWebhook? sealedValue, WebhookEntry? openValue)
        {
            if (sealedValue is null || openValue is null)
            {
                stored.Remove(id);
                _webhooks.Remove(id);
            }
            else
            {
                stored[id] = sealedValue;
                _webhooks[id] = openValue;
            }
        }
    }

    private StoredWebhook Seal(string flowId, WebhookEntry entry) =>
        new(sealer.SealWebhookSecret(flowId, entry.Secret), entry.AllowedReplyHeaders, entry.RotatedAt);

    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "A silo's webhook copy was not told of the change of flow {FlowId} (version {Version}); it catches up when it renews its subscription")]
    private static partial void LogNotifyFailed(ILogger logger, string flowId, long version, Exception exception);

    [LoggerMessage(EventId = 9100, Level = LogLevel.Information, Message = "Sealed {Count} webhook secrets that an earlier version stored in plain text")]
    private static partial void LogSealedPlainSecrets(ILogger logger, int count);

    [LoggerMessage(EventId = 9101, Level = LogLevel.Error, Message = "The webhook secret of flow {FlowId} cannot be opened with this cluster's key ring; the webhook answers as unknown until its secret is rotated")]
    private static partial void LogSecretUnreadable(ILogger logger, string flowId, Exception exception);
}
