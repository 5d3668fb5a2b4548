using System.Runtime.CompilerServices;
using FlowActors.Client.Events;
using FlowActors.Client.Hosting;
using FlowActors.Grains.Interfaces.Catalog;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Executions;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Webhooks;

namespace FlowActors.Client;

/// <summary>
/// <see cref="IFlowActorsClient"/> over an Orleans <see cref="IClusterClient"/>: each call is one or a few grain calls.
/// Grain calls take no token here, so cancellation ends the wait rather than the call.
/// </summary>
public sealed class FlowActorsClient(IClusterClient cluster, FlowActorsClientOptions options) : IFlowActorsClient, IAsyncDisposable
{
    private readonly FlowReplies _replies = new(cluster);

    public Task<ComponentRevision> DeployComponentAsync(string componentId, ComponentDeployment deployment, CancellationToken cancellationToken = default) =>
        Component(componentId).DeployAsync(deployment).WaitAsync(cancellationToken);

    public Task<IReadOnlyList<ComponentRevision>> ListComponentRevisionsAsync(string componentId, CancellationToken cancellationToken = default) =>
        Component(componentId).ListRevisionsAsync().WaitAsync(cancellationToken);

    public async Task<IReadOnlyList<ComponentRevision>> ListComponentsAsync(CancellationToken cancellationToken = default)
    {
        var ids = await cluster.GetGrain<IComponentCatalogGrain>(CatalogKeys.Cluster).ListAsync().WaitAsync(cancellationToken);
        var latest = await Task.WhenAll(ids.Select(id => Component(id).GetLatestAsync())).WaitAsync(cancellationToken);
        return latest.OfType<ComponentRevision>().ToArray();
    }

    public Task SaveDraftAsync(string flowId, FlowDefinition draft, CancellationToken cancellationToken = default) =>
        Flow(flowId).SaveDraftAsync(draft).WaitAsync(cancellationToken);

    public Task<FlowDefinition?> GetDraftAsync(string flowId, CancellationToken cancellationToken = default) =>
        Flow(flowId).GetDraftAsync().WaitAsync(cancellationToken);

    public Task<PublishedFlow> PublishAsync(string flowId, CancellationToken cancellationToken = default) =>
        Flow(flowId).PublishAsync().WaitAsync(cancellationToken);

    public Task StartAsync(string flowId, CancellationToken cancellationToken = default) =>
        Flow(flowId).StartAsync().WaitAsync(cancellationToken);

    public Task StopAsync(string flowId, CancellationToken cancellationToken = default) =>
        Flow(flowId).StopAsync().WaitAsync(cancellationToken);

    public Task SetModeAsync(string flowId, FlowMode mode, CancellationToken cancellationToken = default) =>
        Flow(flowId).SetModeAsync(mode).WaitAsync(cancellationToken);

    public Task<FlowStatus> GetStatusAsync(string flowId, CancellationToken cancellationToken = default) =>
        Flow(flowId).GetStatusAsync().WaitAsync(cancellationToken);

    public async Task<IReadOnlyList<FlowStatus>> ListFlowsAsync(CancellationToken cancellationToken = default)
    {
        var ids = await cluster.GetGrain<IFlowCatalogGrain>(CatalogKeys.Cluster).ListAsync().WaitAsync(cancellationToken);
        return await Task.WhenAll(ids.Select(id => Flow(id).GetStatusAsync())).WaitAsync(cancellationToken);
    }

    public Task<string> SendAsync(
        string flowId, string jsonBody, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default) =>
        Flow(flowId).SendAsync(FlowMessage.Create(jsonBody, headers)).WaitAsync(cancellationToken);

    public async Task<FlowReply> SendAndWaitAsync(
        string flowId, string jsonBody, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        var message = FlowMessage.Create(jsonBody, headers);
        var reply = await _replies.SendAndWaitAsync(flowId, message, timeout ?? options.ReplyTimeout, cancellationToken);
        return new FlowReply(message.ExecutionId, reply);
    }

    public async Task<IAsyncEnumerable<FlowEvent>> FollowAsync(string flowId, CancellationToken cancellationToken = default)
    {
        var subscription = await FlowEventSubscription.SubscribeAsync(cluster, flowId).WaitAsync(cancellationToken);

        // An enumerable that is never enumerated would hold its subscription for ever: cancelling ends it too.
        cancellationToken.Register(() => _ = subscription.DisposeAsync().AsTask());
        return ReadAsync(subscription, cancellationToken);
    }

    public Task<IReadOnlyList<ExecutionRecord>> GetRecentExecutionsAsync(string flowId, int limit = 50, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return cluster.GetGrain<IExecutionLogGrain>(flowId).GetRecentAsync(limit).WaitAsync(cancellationToken);
    }

    public Task<ExecutionRecord?> GetExecutionAsync(string flowId, string executionId, CancellationToken cancellationToken = default) =>
        cluster.GetGrain<IExecutionLogGrain>(flowId).GetAsync(executionId).WaitAsync(cancellationToken);

    public Task<string> RotateWebhookSecretAsync(string flowId, CancellationToken cancellationToken = default) =>
        cluster.GetGrain<IWebhookRegistryGrain>(WebhookRegistry.Key).RotateSecretAsync(flowId, allowedReplyHeaders: null).WaitAsync(cancellationToken);

    public Task DeleteWebhookAsync(string flowId, CancellationToken cancellationToken = default) =>
        cluster.GetGrain<IWebhookRegistryGrain>(WebhookRegistry.Key).DeleteAsync(flowId).WaitAsync(cancellationToken);

    public ValueTask DisposeAsync() => _replies.DisposeAsync();

    private static async IAsyncEnumerable<FlowEvent> ReadAsync(
        FlowEventSubscription subscription, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using (subscription)
        {
            IAsyncEnumerator<FlowEvent>? events = null;
            try
            {
                events = subscription.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                while (true)
                {
                    try
                    {
                        if (!await events.MoveNextAsync())
                        {
                            yield break;
                        }
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        yield break; // following ends quietly when the caller stops it
                    }

                    yield return events.Current;
                }
            }
            finally
            {
                if (events is not null)
                {
                    await events.DisposeAsync();
                }
            }
        }
    }

    private IFlowGrain Flow(string flowId) => cluster.GetGrain<IFlowGrain>(flowId);

    private IComponentGrain Component(string componentId) => cluster.GetGrain<IComponentGrain>(componentId);
}
