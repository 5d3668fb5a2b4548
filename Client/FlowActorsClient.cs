using FlowActors.Client.Events;
using FlowActors.Client.Hosting;
using FlowActors.Grains.Interfaces.Catalog;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Credentials;
using FlowActors.Grains.Interfaces.Delivery;
using FlowActors.Grains.Interfaces.Executions;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Triggers;
using FlowActors.Grains.Interfaces.Trials;
using FlowActors.Grains.Interfaces.Webhooks;

namespace FlowActors.Client;

/// <summary>
/// <see cref="IFlowActorsClient"/> over an Orleans <see cref="IClusterClient"/>: each call is one or a few grain calls.
/// Grain calls take no token here, so cancellation ends the wait rather than the call; a call that meets a silo that left
/// the cluster throws <see cref="ClusterUnavailableException"/> (<see cref="ClusterCalls"/>).
/// </summary>
internal sealed class FlowActorsClient(IClusterClient cluster, FlowActorsClientOptions options) : IFlowActorsClient, IAsyncDisposable
{
    private static readonly TimeSpan DefaultLifecycleTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(250);

    private readonly FlowReplies _replies = new(cluster);
    private readonly PendingFollows _follows = new();

    public Task<ComponentRevision> DeployComponentAsync(string componentId, ComponentDeployment deployment, CancellationToken cancellationToken = default) =>
        Component(componentId).DeployAsync(deployment).WaitOrUnavailableAsync(cancellationToken);

    public Task<IReadOnlyList<ComponentRevision>> ListComponentRevisionsAsync(string componentId, CancellationToken cancellationToken = default) =>
        Component(componentId).ListRevisionsAsync().WaitOrUnavailableAsync(cancellationToken);

    public async Task<IReadOnlyList<ComponentRevision>> ListComponentsAsync(CancellationToken cancellationToken = default)
    {
        var ids = await cluster.GetGrain<IComponentCatalogGrain>(CatalogKeys.Cluster).ListAsync().WaitOrUnavailableAsync(cancellationToken);
        var latest = await Task.WhenAll(ids.Select(id => Component(id).GetLatestAsync())).WaitOrUnavailableAsync(cancellationToken);
        return latest.OfType<ComponentRevision>().ToArray();
    }

    public Task SaveDraftAsync(string flowId, FlowDefinition draft, CancellationToken cancellationToken = default) =>
        Flow(flowId).SaveDraftAsync(draft).WaitOrUnavailableAsync(cancellationToken);

    public Task<FlowDefinition?> GetDraftAsync(string flowId, CancellationToken cancellationToken = default) =>
        Flow(flowId).GetDraftAsync().WaitOrUnavailableAsync(cancellationToken);

    public Task<PublishedFlow> PublishAsync(string flowId, CancellationToken cancellationToken = default) =>
        Flow(flowId).PublishAsync().WaitOrUnavailableAsync(cancellationToken);

    public Task StartAsync(string flowId, CancellationToken cancellationToken = default) =>
        Flow(flowId).StartAsync().WaitOrUnavailableAsync(cancellationToken);

    public Task StopAsync(string flowId, CancellationToken cancellationToken = default) =>
        Flow(flowId).StopAsync().WaitOrUnavailableAsync(cancellationToken);

    public Task SetModeAsync(string flowId, FlowMode mode, CancellationToken cancellationToken = default) =>
        Flow(flowId).SetModeAsync(mode).WaitOrUnavailableAsync(cancellationToken);

    public Task<FlowStatus> GetStatusAsync(string flowId, CancellationToken cancellationToken = default) =>
        Flow(flowId).GetStatusAsync().WaitOrUnavailableAsync(cancellationToken);

    public async Task<FlowStatus> WaitForLifecycleAsync(
        string flowId, FlowLifecycle lifecycle, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultLifecycleTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);

        // The flow grain has no change notification to wait on: poll, often at first (a warm-up can take milliseconds),
        // then less often (it can take a minute).
        var poll = FirstPoll;
        var status = await GetStatusAsync(flowId, cancellationToken);
        while (status.Lifecycle != lifecycle)
        {
            if (status.Lifecycle == FlowLifecycle.Failed)
            {
                throw new FlowStateException($"Flow '{flowId}' failed instead of reaching {lifecycle}: {status.Error}", status.Lifecycle);
            }

            try
            {
                await Task.Delay(poll, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"Flow '{flowId}' did not reach {lifecycle} within {limit.TotalSeconds:0.#} s; it is {status.Lifecycle}.{(status.Error is null ? "" : " " + status.Error)}");
            }

            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, LongestPoll.Ticks));
            status = await GetStatusAsync(flowId, cancellationToken);
        }

        return status;
    }

    public Task<FlowStatus> WaitUntilRunningAsync(string flowId, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        WaitForLifecycleAsync(flowId, FlowLifecycle.Running, timeout, cancellationToken);

    public async Task<IReadOnlyList<FlowStatus>> ListFlowsAsync(CancellationToken cancellationToken = default)
    {
        var ids = await cluster.GetGrain<IFlowCatalogGrain>(CatalogKeys.Cluster).ListAsync().WaitOrUnavailableAsync(cancellationToken);
        return await Task.WhenAll(ids.Select(id => Flow(id).GetStatusAsync())).WaitOrUnavailableAsync(cancellationToken);
    }

    public async Task<string> SendAsync(
        string flowId, string jsonBody, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        await _follows.WaitAsync(flowId, cancellationToken);
        return await Flow(flowId).SendAsync(FlowMessage.Create(jsonBody, headers)).WaitOrUnavailableAsync(cancellationToken);
    }

    public async Task<FlowReply> SendAndWaitAsync(
        string flowId,
        string jsonBody,
        TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? headers = null,
        Func<FlowEvent, bool>? until = null,
        CancellationToken cancellationToken = default)
    {
        await _follows.WaitAsync(flowId, cancellationToken);
        var message = FlowMessage.Create(jsonBody, headers);
        var reply = await _replies.SendAndWaitAsync(flowId, message, timeout ?? options.ReplyTimeout, cancellationToken, until).WaitOrUnavailableAsync(cancellationToken);
        return new FlowReply(message.ExecutionId, reply);
    }

    public IAsyncEnumerable<FlowEvent> FollowAsync(string flowId, CancellationToken cancellationToken = default)
    {
        var subscribing = FlowEventSubscription.SubscribeAsync(cluster, flowId, options.FollowBufferCapacity);
        _follows.Add(flowId, subscribing);
        return new FlowFollower(subscribing, cancellationToken);
    }

    public Task<IReadOnlyList<ExecutionRecord>> GetRecentExecutionsAsync(string flowId, int limit = 50, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return cluster.GetGrain<IExecutionLogGrain>(flowId).GetRecentAsync(limit).WaitOrUnavailableAsync(cancellationToken);
    }

    public Task<ExecutionRecord?> GetExecutionAsync(string flowId, string executionId, CancellationToken cancellationToken = default) =>
        cluster.GetGrain<IExecutionLogGrain>(flowId).GetAsync(executionId).WaitOrUnavailableAsync(cancellationToken);

    public Task<string> RotateWebhookSecretAsync(string flowId, CancellationToken cancellationToken = default) =>
        cluster.GetGrain<IWebhookRegistryGrain>(WebhookRegistry.Key).RotateSecretAsync(flowId, allowedReplyHeaders: null).WaitOrUnavailableAsync(cancellationToken);

    public Task DeleteWebhookAsync(string flowId, CancellationToken cancellationToken = default) =>
        cluster.GetGrain<IWebhookRegistryGrain>(WebhookRegistry.Key).DeleteAsync(flowId).WaitOrUnavailableAsync(cancellationToken);

    public async Task<FlowCounters> GetCountersAsync(string flowId, CancellationToken cancellationToken = default)
    {
        var counters = cluster.GetGrain<IExecutionLogGrain>(flowId).GetCountersAsync();
        var deadLetters = DeadLetters(flowId).GetCountsAsync();
        await Task.WhenAll(counters, deadLetters).WaitOrUnavailableAsync(cancellationToken);
        return (await counters) with { DeadLettered = (await deadLetters).DeadLettered };
    }

    public Task<DeadLetterPage> ListDeadLettersAsync(string flowId, int offset = 0, int limit = 50, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return DeadLetters(flowId).ListAsync(offset, limit).WaitOrUnavailableAsync(cancellationToken);
    }

    public Task<DeadLetter?> GetDeadLetterAsync(string flowId, string deadLetterId, CancellationToken cancellationToken = default) =>
        DeadLetters(flowId).GetAsync(deadLetterId).WaitOrUnavailableAsync(cancellationToken);

    public Task<string?> ReplayDeadLetterAsync(string flowId, string deadLetterId, int? revision = null, CancellationToken cancellationToken = default) =>
        DeadLetters(flowId).ReplayAsync(deadLetterId, revision).WaitOrUnavailableAsync(cancellationToken);

    public Task<bool> DiscardDeadLetterAsync(string flowId, string deadLetterId, CancellationToken cancellationToken = default) =>
        DeadLetters(flowId).DiscardAsync(deadLetterId).WaitOrUnavailableAsync(cancellationToken);

    public async Task<TriggersOverview> GetTriggersAsync(string flowId, CancellationToken cancellationToken = default)
    {
        var webhook = cluster.GetGrain<IWebhookRegistryGrain>(WebhookRegistry.Key).ExistsAsync(flowId);
        var serviceBus = ServiceBus(flowId).GetAsync();
        var schedule = Schedule(flowId).GetAsync();
        await Task.WhenAll(webhook, serviceBus, schedule).WaitOrUnavailableAsync(cancellationToken);
        return new TriggersOverview(await webhook, await serviceBus, await schedule);
    }

    public Task<ServiceBusTriggerInfo> SetServiceBusTriggerAsync(string flowId, ServiceBusTriggerSettings settings, CancellationToken cancellationToken = default) =>
        ServiceBus(flowId).ConfigureAsync(settings).WaitOrUnavailableAsync(cancellationToken);

    public Task<ServiceBusTriggerInfo?> GetServiceBusTriggerAsync(string flowId, CancellationToken cancellationToken = default) =>
        ServiceBus(flowId).GetAsync().WaitOrUnavailableAsync(cancellationToken);

    public Task RemoveServiceBusTriggerAsync(string flowId, CancellationToken cancellationToken = default) =>
        ServiceBus(flowId).RemoveAsync().WaitOrUnavailableAsync(cancellationToken);

    public Task<ScheduleInfo> SetScheduleAsync(string flowId, ScheduleSettings settings, CancellationToken cancellationToken = default) =>
        Schedule(flowId).ConfigureAsync(settings).WaitOrUnavailableAsync(cancellationToken);

    public Task<ScheduleInfo?> GetScheduleAsync(string flowId, CancellationToken cancellationToken = default) =>
        Schedule(flowId).GetAsync().WaitOrUnavailableAsync(cancellationToken);

    public Task RemoveScheduleAsync(string flowId, CancellationToken cancellationToken = default) =>
        Schedule(flowId).RemoveAsync().WaitOrUnavailableAsync(cancellationToken);

    public Task<CredentialInfo> SetCredentialAsync(string credentialId, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var values = new CredentialValues(fields.ToDictionary(f => f.Key, string? (f) => f.Value, StringComparer.Ordinal));
        return Credentials().SetAsync(credentialId, values, replace: true).WaitAsync(cancellationToken);
    }

    public Task<CredentialInfo> UpdateCredentialAsync(string credentialId, IReadOnlyDictionary<string, string?> fields, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var values = new CredentialValues(new Dictionary<string, string?>(fields, StringComparer.Ordinal));
        return Credentials().SetAsync(credentialId, values, replace: false).WaitAsync(cancellationToken);
    }

    public Task<CredentialInfo?> GetCredentialAsync(string credentialId, CancellationToken cancellationToken = default) =>
        Credentials().GetAsync(credentialId).WaitAsync(cancellationToken);

    public Task<IReadOnlyList<CredentialInfo>> ListCredentialsAsync(CancellationToken cancellationToken = default) =>
        Credentials().ListAsync().WaitAsync(cancellationToken);

    public Task<bool> DeleteCredentialAsync(string credentialId, CancellationToken cancellationToken = default) =>
        Credentials().DeleteAsync(credentialId).WaitAsync(cancellationToken);

    public Task<StepTrial> TryStepAsync(
        string flowId, string stepId, string jsonBody, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default) =>
        cluster.GetGrain<ITrialGrain>(flowId).TryStepAsync(stepId, new TrialMessage(jsonBody, headers)).WaitAsync(cancellationToken);

    public Task<DraftTrial> TryDraftAsync(
        string flowId, string jsonBody, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default) =>
        cluster.GetGrain<ITrialGrain>(flowId).TryDraftAsync(new TrialMessage(jsonBody, headers)).WaitAsync(cancellationToken);

    public Task<ExpressionTrial> EvaluateExpressionAsync(ExpressionSample sample, CancellationToken cancellationToken = default) =>
        cluster.GetGrain<IExpressionGrain>(0).EvaluateAsync(sample).WaitAsync(cancellationToken);

    public ValueTask DisposeAsync() => _replies.DisposeAsync();

    private ICredentialRegistryGrain Credentials() => cluster.GetGrain<ICredentialRegistryGrain>(CredentialRegistry.Key);

    private IServiceBusTriggerGrain ServiceBus(string flowId) => cluster.GetGrain<IServiceBusTriggerGrain>(flowId);

    private IScheduleGrain Schedule(string flowId) => cluster.GetGrain<IScheduleGrain>(flowId);

    private IFlowGrain Flow(string flowId) => cluster.GetGrain<IFlowGrain>(flowId);

    private IDeadLetterGrain DeadLetters(string flowId) => cluster.GetGrain<IDeadLetterGrain>(flowId);

    private IComponentGrain Component(string componentId) => cluster.GetGrain<IComponentGrain>(componentId);
}
