using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using FlowActors.Grains.Interfaces.Webhooks;

namespace FlowActors.Silo.Webhooks;

/// <summary>
/// This silo's copy of the webhook registry, so that a request to an unknown webhook, or with wrong credentials,
/// costs no grain call and no activation. Loaded when the silo starts, told of every change by the registry
/// (<see cref="IWebhookObserver"/>), and checked against the registry's version whenever the subscription is renewed,
/// so a change it was not told of (a silo that did not answer in time) is picked up within seconds.
/// </summary>
public sealed partial class WebhookDirectory(IGrainFactory grains, ILogger<WebhookDirectory> logger) : BackgroundService, IWebhookObserver
{
    private static readonly TimeSpan RenewEvery = WebhookRegistry.SubscriptionLifetime / 6;
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var self = grains.CreateObjectReference<IWebhookObserver>(this);
        var registry = grains.GetGrain<IWebhookRegistryGrain>(WebhookRegistry.Key);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    // Subscribe first, then load: a change made in between is either in the snapshot or told afterwards.
                    var version = await registry.SubscribeAsync(self);
                    if (version != Interlocked.Read(ref _version))
                    {
                        Load(await registry.GetSnapshotAsync());
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogSyncFailed(logger, e);
                }

                try
                {
                    await _wake.WaitAsync(_loaded.Task.IsCompleted ? RenewEvery : RetryEvery, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            try
            {
                await registry.UnsubscribeAsync(self).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
            }
            catch (Exception e)
            {
                LogSyncFailed(logger, e); // the subscription expires by itself
            }

            grains.DeleteObjectReference<IWebhookObserver>(self);
        }
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
