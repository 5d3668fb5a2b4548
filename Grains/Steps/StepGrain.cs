using System.Diagnostics;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Containers;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace FlowActors.Grains.Steps;

/// <summary>
/// Runs one step of one flow. Messages arrive on the step's input stream (implicit subscription, so a
/// message activates the grain). Ordinary: the first message starts a container, which lives as long as
/// the activation; an idle activation deactivates and stops it; each message is processed before the stream
/// delivers the next. Real-time: the flow's start acquires the container lease and warms it up; messages go into
/// a bounded inbox (<see cref="StepInbox"/>) whose pump calls the component once per batch of whatever queued up
/// (<see cref="StepInvoker"/>), after warm-up and in order.
/// </summary>
[ImplicitStreamSubscription(FlowStreams.StepInput)]
public sealed partial class StepGrain(
    IContainerRuntime runtime,
    ComponentClient components,
    IOptions<StepOptions> options,
    TimeProvider time,
    ILogger<StepGrain> logger) : Grain, IStepGrain
{
    private readonly StepOptions _options = options.Value;
    private readonly StepContainer _container = new(runtime, options.Value, time);
    private StepInvoker _invoker = null!; // this one and the streams are made on activation: they need the grain
    private StepInbox? _inbox;
    private StepPlan? _plan;
    private TaskCompletionSource? _ready;
    private StepPhase _phase;
    private string? _error;
    private IGrainTimer? _timer;
    private long _lastMessage;
    private bool _reportToFlow = true;
    private string? _snapshot;
    private StepStreams _streams = null!;
    private (string FlowId, string StepId) _key;

    // The key is {flowId}/{stepId}; parsed once, since both are used on every batch.
    private string FlowId => _key.FlowId;

    private string StepId => _key.StepId;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString().Split('/');
        _key = (key[0], key[1]);
        _invoker = new StepInvoker(components, _container, _options, ReplaceContainerAsync, logger);
        _streams = new StepStreams(this.GetStreamProvider(FlowStreams.Provider), FlowId, StepId);
        await _streams.Self.SubscribeAsync(OnStreamMessageAsync);
        _lastMessage = time.GetTimestamp();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A silo that shuts down takes its flows with it: nobody is left to tell.
        _reportToFlow = reason.ReasonCode != DeactivationReasonCode.ShuttingDown;
        await ReleaseAsync();
    }

    public async Task StartRealtimeAsync(StepPlan plan)
    {
        if (_plan?.RunId == plan.RunId && _container.Lease is not null)
        {
            return;
        }

        await ReleaseAsync();
        UsePlan(plan);
        await StartContainerAsync(plan, plan.PinnedRevision!);
        _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = WarmUpAsync(_ready);
    }

    public async Task StopAsync()
    {
        await ReleaseAsync();
        _plan = null;
        DeactivateOnIdle();
    }

    public async Task ContainerDiedAsync(string containerId)
    {
        if (_container.Lease is not { } lease || lease.ContainerId != containerId)
        {
            return; // already replaced or released
        }

        LogContainerDied(logger, FlowId, StepId, containerId);
        if (_plan?.Mode == FlowMode.Realtime && _ready is null or { Task.IsCompletedSuccessfully: true })
        {
            await _invoker.ReplaceContainerAsync();
        }
        else
        {
            _invoker.Suspect = true; // the next message checks, and replaces what does not answer
        }
    }

    public Task<StepStatus> GetStatusAsync() => Task.FromResult(Status());

    public async Task<TriggerPollResult> PollAsync(TriggerPoll poll)
    {
        ArgumentNullException.ThrowIfNull(poll);
        var received = Stopwatch.GetTimestamp();
        _lastMessage = time.GetTimestamp();
        var outputs = new StepOutputs(FlowId, StepId, _options.MaxRebounds);
        string? error;
        try
        {
            if (await EnsureReadyAsync() is not { } plan || plan.RunId != poll.RunId)
            {
                error = $"Step '{StepId}' of flow '{FlowId}' is not in the schedule's run (the flow stopped or started again); the tick did not run.";
            }
            else
            {
                // The schedule keeps the trigger's snapshot; the step's own (that of its messages) is left alone.
                outputs.Add(plan, poll.Message, await _invoker.InvokeAsync(plan, poll.Message, poll.Snapshot), received);
                error = outputs.Events.FirstOrDefault(e => e.Kind == FlowEventKind.Error)?.Error;
            }
        }
        catch (Exception e)
        {
            error = Describe(e);
            outputs = new StepOutputs(FlowId, StepId, _options.MaxRebounds);
        }
        finally
        {
            _lastMessage = time.GetTimestamp();
        }

        if (error is not null && !outputs.Events.Any(e => e.Kind == FlowEventKind.Error))
        {
            outputs.Fail(poll.Message, error, Stopwatch.GetElapsedTime(received));
        }

        await PublishAsync(outputs, batched: _plan?.Mode == FlowMode.Realtime);
        var emitted = outputs.Next.Count + outputs.Events.Count(e => e.Kind == FlowEventKind.Output);
        return new TriggerPollResult(outputs.SnapshotChanged, outputs.Snapshot, emitted, error);
    }

    /// <summary>
    /// A real-time step only queues the message, so the stream hands over the next ones while a component call is
    /// in flight. Ordinary steps process it before returning: their streams may be durable, and returning
    /// acknowledges the message.
    /// </summary>
    private Task OnStreamMessageAsync(FlowMessage message, StreamSequenceToken? token)
    {
        _lastMessage = time.GetTimestamp();
        return _inbox is { } inbox
            ? inbox.EnqueueAsync(new InboxEntry(message, Stopwatch.GetTimestamp())).AsTask()
            : ProcessAsync([new InboxEntry(message, Stopwatch.GetTimestamp())], batched: false);
    }

    /// <summary>Calls the component on the messages and publishes what comes of each; never throws.</summary>
    private async Task ProcessAsync(IReadOnlyList<InboxEntry> entries, bool batched)
    {
        var outputs = new StepOutputs(FlowId, StepId, _options.MaxRebounds);
        try
        {
            if (await EnsureReadyAsync() is not { } plan)
            {
                FailAll(outputs, entries,
                    $"Step '{StepId}' received a message while flow '{FlowId}' is not running; the message was not processed. Start the flow and send it again.");
            }
            else
            {
                var results = await _invoker.InvokeBatchAsync(plan, [.. entries.Select(entry => entry.Message)], _snapshot);
                for (var i = 0; i < results.Length; i++)
                {
                    if (results[i].Error is { } error)
                    {
                        LogMessageFailed(logger, FlowId, StepId, entries[i].Message.ExecutionId, error.Message);
                        outputs.Fail(entries[i].Message, Describe(error), Stopwatch.GetElapsedTime(entries[i].Received));
                    }
                    else
                    {
                        outputs.Add(plan, entries[i].Message, results[i].Emits!, entries[i].Received);
                    }
                }

                if (outputs.SnapshotChanged)
                {
                    _snapshot = outputs.Snapshot;
                }
            }
        }
        catch (Exception e)
        {
            // Warm-up failed or no container could be started: no message of these got to the component.
            LogMessagesFailed(logger, FlowId, StepId, entries.Count, e.Message);
            outputs = new StepOutputs(FlowId, StepId, _options.MaxRebounds);
            FailAll(outputs, entries, Describe(e));
        }
        finally
        {
            _lastMessage = time.GetTimestamp();
        }

        await PublishAsync(outputs, batched);
    }

    /// <summary>The plan of the running flow, with a container that answers; null when the flow is not running.</summary>
    private async Task<StepPlan?> EnsureReadyAsync()
    {
        if (_ready is { } ready)
        {
            await ready.Task; // real-time warm-up: messages wait here, in order
        }

        await _invoker.WhenReplacedAsync();

        if (_plan is null)
        {
            if (await GrainFactory.GetGrain<IFlowGrain>(FlowId).GetStepPlanAsync(StepId) is not { } plan)
            {
                return null;
            }

            UsePlan(plan);
        }

        if (_container.Lease is null)
        {
            // Ordinary steps take the newest revision at each container start; a real-time step whose
            // activation was lost keeps the revision its flow pinned at start.
            var revision = _plan!.PinnedRevision ?? await LatestRevisionAsync(_plan.Step.ComponentId);
            await StartContainerAsync(_plan, revision);
            await _container.WaitReadyAsync(CancellationToken.None);
            SetPhase(StepPhase.Ready);
        }

        return _plan;
    }

    private async Task ReplaceContainerAsync()
    {
        LogReplacingContainer(logger, FlowId, StepId, _container.Lease?.ContainerId);
        await _container.ReplaceAsync(CancellationToken.None);
        ReportToFlow();
    }

    private async Task PublishAsync(StepOutputs outputs, bool batched)
    {
        try
        {
            await _streams.PublishAsync(outputs, batched);
        }
        catch (Exception e)
        {
            LogPublishFailed(logger, FlowId, StepId, e);
        }
    }

    private static void FailAll(StepOutputs outputs, IReadOnlyList<InboxEntry> entries, string error)
    {
        foreach (var entry in entries)
        {
            outputs.Fail(entry.Message, error, Stopwatch.GetElapsedTime(entry.Received));
        }
    }

    private async Task WarmUpAsync(TaskCompletionSource ready)
    {
        try
        {
            await _container.WaitReadyAsync(CancellationToken.None);
            SetPhase(StepPhase.Ready);
            ready.TrySetResult();
        }
        catch (Exception e)
        {
            _error = Describe(e);
            SetPhase(StepPhase.Failed);
            ready.TrySetException(new StepException(_error, e));
        }
    }

    private async Task StartContainerAsync(StepPlan plan, ComponentRevision revision)
    {
        var holder = $"{this.GetPrimaryKeyString()}@{RuntimeIdentity}";
        var request = new ContainerRequest(FlowId, StepId, revision, plan.Step.Configuration, holder, _options.LeaseDuration);
        try
        {
            await _container.StartAsync(request, CancellationToken.None);
        }
        catch (Exception e)
        {
            _error = Describe(e);
            SetPhase(StepPhase.Failed);
            throw new StepException(_error, e);
        }

        LogContainerStarted(logger, FlowId, StepId, _container.Lease!.ContainerId, revision.Revision);
        SetPhase(StepPhase.WarmingUp);
        StartTimer(plan.Mode);
    }

    private void StartTimer(FlowMode mode)
    {
        _timer?.Dispose();
        var period = mode == FlowMode.Realtime
            ? _options.LeaseDuration / 4
            : TimeSpan.FromTicks(Math.Min(_options.LeaseDuration.Ticks / 4, _options.IdleTimeout.Ticks / 4));

        // Real-time steps keep their activation (and so their lease) alive for as long as the flow runs.
        _timer = this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(period, period) { KeepAlive = mode == FlowMode.Realtime });
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        if (_plan?.Mode == FlowMode.Ordinary && time.GetElapsedTime(_lastMessage) >= _options.IdleTimeout)
        {
            DeactivateOnIdle(); // OnDeactivateAsync stops the container
            return;
        }

        await _container.RenewIfDueAsync(cancellationToken);
    }

    private async Task ReleaseAsync()
    {
        _timer?.Dispose();
        _timer = null;
        _ready?.TrySetException(new StepException($"Step '{StepId}' was stopped before it was warm."));
        _ready = null;
        await CloseInboxAsync();
        if (_container.Lease is { } lease)
        {
            LogContainerStopping(logger, FlowId, StepId, lease.ContainerId);
            await _container.ReleaseAsync();
        }

        if (_phase != StepPhase.Idle)
        {
            _error = null;
            SetPhase(StepPhase.Idle);
        }
    }

    /// <summary>
    /// Waits for the batch in flight; what is still queued was never processed, and says so on the event stream
    /// rather than disappearing.
    /// </summary>
    private async Task CloseInboxAsync()
    {
        if (_inbox is not { } inbox)
        {
            return;
        }

        _inbox = null;
        var left = await inbox.CloseAsync();
        if (left.Count > 0)
        {
            LogDroppedQueued(logger, FlowId, StepId, left.Count);
            var outputs = new StepOutputs(FlowId, StepId, _options.MaxRebounds);
            FailAll(outputs, left,
                $"Step '{StepId}' stopped (its flow was stopped, or the step moved) before it processed the message; it was not processed. Start the flow and send it again.");
            await PublishAsync(outputs, batched: true);
        }
    }

    private void UsePlan(StepPlan plan)
    {
        _plan = plan;
        _inbox = plan.Mode == FlowMode.Realtime
            ? _inbox ?? new StepInbox(_options.InboxCapacity, _options.MaxBatchSize, entries => ProcessAsync(entries, batched: true))
            : null;
        _streams.UseNext(plan.NextSteps);
    }

    private async Task<ComponentRevision> LatestRevisionAsync(string componentId) =>
        await GrainFactory.GetGrain<IComponentGrain>(componentId).GetLatestAsync()
        ?? throw new InvalidOperationException($"Component '{componentId}' has no deployed revision. Deploy one, then send the message again.");

    private void SetPhase(StepPhase phase)
    {
        _phase = phase;
        ReportToFlow();
    }

    private void ReportToFlow()
    {
        if (_reportToFlow)
        {
            GrainFactory.GetGrain<IFlowGrain>(FlowId).ReportStepAsync(Status()).Ignore();
        }
    }

    private StepStatus Status() => new(
        StepId, _plan?.Step.ComponentId ?? "", _container.Revision?.Revision ?? 0, _phase, _container.Lease?.ContainerId, _error);

    /// <summary>An error message that names the step (and its component), for the flow's event stream and status.</summary>
    private string Describe(Exception e)
    {
        if (e is StepException)
        {
            return e.Message;
        }

        var revision = _container.Revision is { } r ? $" revision {r.Revision}" : "";
        var component = _plan is null ? "" : $" (component '{_plan.Step.ComponentId}'{revision})";
        return $"Step '{StepId}'{component} failed: {e.Message}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId} step {StepId} started container {ContainerId} (revision {Revision})")]
    private static partial void LogContainerStarted(ILogger logger, string flowId, string stepId, string containerId, int revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId} step {StepId} stopping container {ContainerId}")]
    private static partial void LogContainerStopping(ILogger logger, string flowId, string stepId, string containerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} replaces container {ContainerId}, which stopped answering")]
    private static partial void LogReplacingContainer(ILogger logger, string flowId, string stepId, string? containerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId}: container {ContainerId} died")]
    private static partial void LogContainerDied(ILogger logger, string flowId, string stepId, string containerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not process {Count} messages: {Reason}")]
    private static partial void LogMessagesFailed(ILogger logger, string flowId, string stepId, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not publish its outputs")]
    private static partial void LogPublishFailed(ILogger logger, string flowId, string stepId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} stopped with {Count} messages queued; each gets an error event")]
    private static partial void LogDroppedQueued(ILogger logger, string flowId, string stepId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} failed execution {ExecutionId}: {Reason}")]
    private static partial void LogMessageFailed(ILogger logger, string flowId, string stepId, string executionId, string reason);
}
