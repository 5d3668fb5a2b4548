using System.Text;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Webhooks;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Webhooks;

/// <summary>
/// Keeps every flow's webhook, and tells the silos' copies of each change before the change is confirmed to the caller,
/// so that a rotated secret is refused everywhere as soon as the rotation returns. A copy that could not be told (its
/// silo did not answer) is dropped and finds the change when it renews its subscription.
/// </summary>
public sealed partial class WebhookRegistryGrain(
    [PersistentState("webhooks", StorageNames.Grains)] IPersistentState<WebhookRegistryState> state,
    TimeProvider time,
    ILogger<WebhookRegistryGrain> logger) : Grain, IWebhookRegistryGrain
{
    private static readonly TimeSpan NotifyTimeout = TimeSpan.FromSeconds(5);

    private readonly Dictionary<IWebhookObserver, DateTimeOffset> _observers = [];

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
        var headers = allowedReplyHeaders?.ToArray() ?? state.State.Webhooks.GetValueOrDefault(flowId)?.AllowedReplyHeaders ?? [];
        await ChangeAsync(flowId, new WebhookEntry(Encoding.UTF8.GetBytes(secret), headers, time.GetUtcNow()));
        return secret;
    }

    public Task DeleteAsync(string flowId) =>
        state.State.Webhooks.ContainsKey(flowId) ? ChangeAsync(flowId, null) : Task.CompletedTask;

    public Task<bool> ExistsAsync(string flowId) => Task.FromResult(state.State.Webhooks.ContainsKey(flowId));

    public Task<WebhookSnapshot> GetSnapshotAsync() =>
        Task.FromResult(new WebhookSnapshot(state.State.Version, new Dictionary<string, WebhookEntry>(state.State.Webhooks)));

    public Task<long> SubscribeAsync(IWebhookObserver observer)
    {
        _observers[observer] = time.GetUtcNow() + WebhookRegistry.SubscriptionLifetime;
        return Task.FromResult(state.State.Version);
    }

    public Task UnsubscribeAsync(IWebhookObserver observer)
    {
        _observers.Remove(observer);
        return Task.CompletedTask;
    }

    private async Task ChangeAsync(string flowId, WebhookEntry? entry)
    {
        var webhooks = state.State.Webhooks;
        var before = webhooks.GetValueOrDefault(flowId);
        Set(flowId, entry);
        state.State.Version++;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // A secret that was not stored must not be accepted, nor a removal forgotten at the next activation.
            Set(flowId, before);
            state.State.Version--;
            throw;
        }

        await NotifyAsync(new WebhookChange(state.State.Version, flowId, entry));

        void Set(string id, WebhookEntry? value)
        {
            if (value is null)
            {
                webhooks.Remove(id);
            }
            else
            {
                webhooks[id] = value;
            }
        }
    }

    private async Task NotifyAsync(WebhookChange change)
    {
        var now = time.GetUtcNow();
        foreach (var expired in _observers.Where(o => o.Value < now).Select(o => o.Key).ToArray())
        {
            _observers.Remove(expired);
        }

        var failed = await Task.WhenAll(_observers.Keys.ToArray().Select(async observer =>
        {
            try
            {
                await observer.OnChangedAsync(change).WaitAsync(NotifyTimeout);
                return null;
            }
            catch (Exception e)
            {
                LogNotifyFailed(logger, change.FlowId, change.Version, e);
                return observer;
            }
        }));
        foreach (var observer in failed.OfType<IWebhookObserver>())
        {
            _observers.Remove(observer);
        }
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "A silo's webhook copy was not told of the change of flow {FlowId} (version {Version}); it catches up when it renews its subscription")]
    private static partial void LogNotifyFailed(ILogger logger, string flowId, long version, Exception exception);
}
