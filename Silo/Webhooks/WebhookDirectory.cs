using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using FlowActors.Grains.Interfaces.Webhooks;
using FlowActors.Grains.Registries;

namespace FlowActors.Silo.Webhooks;

/// <summary>
/// This silo's copy of the webhook registry, so that a request to an unknown webhook, or with wrong credentials,
/// costs no grain call and no activation. Loaded when the silo starts, told of every change by the registry
/// (<see cref="IWebhookObserver"/>), and checked against the registry's version whenever the subscription is renewed,
/// so a change it was not told of (a silo that did not answer in time) is picked up within seconds.
/// </summary>
public sealed partial class WebhookDirectory(IGrainFactory grains, ILogger<WebhookDirectory> logger) : BackgroundService, IWebhookObserver
{

    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _gate = new();
    private ImmutableDictionary<string, WebhookEntry> _webhooks = ImmutableDictionary.Create<string, WebhookEntry>(StringComparer.Ordinal);
    private long _version = -1;

    /// <summary>The flow's webhook, when it has one.</summary>
    public bool TryGet(string flowId, [NotNullWhen(true)] out WebhookEntry? webhook) => _webhooks.TryGetValue(flowId, out webhook);

    /// <summary>Completes once the copy is loaded; false when that took longer than <paramref name="timeout"/>.</summary>
    public async Task<bool> WhenLoadedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_loaded.Task.IsCompleted)
        {
            return true;
        }

        try
        {
            await _loaded.Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public Task OnChangedAsync(WebhookChange change)
    {
        lock (_gate)
        {
            if (change.Version == _version + 1)
            {
                _webhooks = change.Entry is null ? _webhooks.Remove(change.FlowId) : _webhooks.SetItem(change.FlowId, change.Entry);
                _version = change.Version;
                return Task.CompletedTask;
            }

            if (change.Version <= _version)
            {
                return Task.CompletedTask; // already known
            }
        }

        _wake.Release(); // a change was missed: reload now rather than at the next renewal
        return Task.CompletedTask;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var registry = grains.GetGrain<IWebhookRegistryGrain>(WebhookRegistry.Key);
        return RegistryCopy.KeepCurrentAsync<IWebhookObserver>(
            grains,
            this,
            WebhookRegistry.SubscriptionLifetime,
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

    private void Load(WebhookSnapshot snapshot)
    {
        lock (_gate)
        {
            if (snapshot.Version >= _version)
            {
                _webhooks = snapshot.Webhooks.ToImmutableDictionary(StringComparer.Ordinal);
                _version = snapshot.Version;
            }
        }

        _loaded.TrySetResult();
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Could not bring this silo's copy of the webhook registry up to date; trying again")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}
