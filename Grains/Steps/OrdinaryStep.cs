using System.Diagnostics;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Delivery;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Steps.Tracing;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Steps;

/// <summary>
/// An ordinary step in one activation: the first message starts a container of the component's newest revision, which
/// serves the messages that follow while the activation lives; after <see cref="StepOptions.IdleTimeout"/> without a
/// message the activation goes, and the container with it. Each message is processed inside its stream delivery,
/// because returning acknowledges it (durable streams), so a delivery never takes longer than the delivery budget.
/// </summary>
internal sealed partial class OrdinaryStep : IStepRunner
{
    private readonly StepContext _step;
    private readonly CancellationTokenSource _stopping = new();
    private readonly StepContainer _container;
    private readonly StepInvoker _invoker;
    private readonly StepRetries _retries;
    private readonly Dictionary<string, (PendingRetry Retry, IGrainTimer Timer)> _pending = new(StringComparer.Ordinal);
    private IGrainTimer? _timer;
    private long _lastMessage;
    private int _busy;
    private StepPhase _phase;
    private string? _error;

    public OrdinaryStep(StepPlan plan, StepContext step)
    {
        Plan = plan;
        _step = step;
        _container = new StepContainer(step.Runtime, step.Options, step.Time);
        _lastMessage = step.Time.GetTimestamp();
        _retries = step.Retries(plan);
        _invoker = new StepInvoker(step.Components, step.Credentials, _container, step.Options, _retries.Policy.KeepOrder,
            StepHopSpans.Measured(step, ReplaceContainerAsync), step.SpanNames, step.Logger);
        step.Streams.UseNext(plan);
        step.UseExpressions(plan);

        // An earlier activation's retries: the stream counts them as delivered, so this activation owns them.
        foreach (var retry in step.State.Current.Retries ?? [])
        {
            _retries.Load(retry);
            step.Deduplication.TryBegin(retry.Message.Id);
            Schedule(retry);
        }
    }

    public StepPlan Plan { get; }

    public StepStatus Status => new(
        _step.StepId, Plan.Step.ComponentId, _container.Revision?.Revision ?? 0, _phase, _container.Lease?.ContainerId, _error);

    /// <summary>
    /// Processes the message and publishes what comes of it before the delivery returns. A publish that still fails
    /// after its retries fails the delivery, so the stream delivers the message again (at least once). A message whose
    /// call fails (or that the component rebounds) is stored to be tried again after a backoff, and the delivery
    /// returns: the messages behind it do not wait for it.
    /// </summary>
    public async Task OnMessageAsync(InboxEntry entry)
    {
        using var hop = StepHopSpans.Begin(_step.SpanNames, entry);
        using var scope = hop.Scope(_step.Logger);
        var (outputs, settled, retry) = await TryAsync(entry with { Message = hop.Message(0) });
        hop.Publishing();
        await _step.Streams.PublishDataAsync(outputs, batched: false);
        await _step.Streams.PublishEventsAsync(outputs, batched: false);
        hop.Published(outputs);
        await SettleAsync(entry.Message, settled, retry is null ? null : retry with { Message = entry.Message });
    }

    /// <summary>One try at the message, within the delivery budget: what came of it, not yet published.</summary>
    private async Task<(StepOutputs Outputs, Settled Settled, PendingRetry? Retry)> TryAsync(InboxEntry entry)
    {
        var outputs = _step.NewOutputs();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        budget.CancelAfter(_step.DeliveryBudget);
        _busy++;
        IReadOnlyList<ComponentProtocol.Emit>? emits = null;
        string? error = null;
        var result = default(StepResult);
        var certain = false;
        try
        {
            await EnsureContainerAsync(budget.Token);
            result = _step.Expressions is { HasMapping: true }
                ? (await _step.InvokeAsync(_invoker, Plan, [entry.Message], _step.State.Current.Snapshot, budget.Token))[0]
                : new StepResult(entry.Message, await _invoker.InvokeAsync(Plan, entry.Message, _step.State.Current.Snapshot, budget.Token), null);
            if (result.Error is { } failed)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed);
            }

            emits = result.Emits;
        }
        catch (Exception e)
        {
            error = Describe(e);
            certain = StepException.IsCertain(e);
            LogMessageFailed(_step.Logger, _step.FlowId, _step.StepId, entry.Message.ExecutionId, error);
        }
        finally
        {
            _busy--;
            _lastMessage = _step.Time.GetTimestamp();
        }

        if (error is not null && _stopping.IsCancellationRequested)
        {
            _retries.Forget(entry.Message.Id);
            outputs.Fail(entry.Message, error, Stopwatch.GetElapsedTime(entry.Received));
            return (outputs, Settled.GaveUp, null);
        }

        var settled = _retries.Settle(outputs, Plan, entry, emits, error, _container.Revision?.Revision, out var retry, result.Refusal, result.Calls, certain);
        if (outputs.SnapshotChanged)
        {
            await _step.SaveSnapshotAsync(outputs.Snapshot);
        }

        return (outputs, settled, retry);
    }

    /// <summary>After the publish: remembers a completed message, or stores and schedules its next try.</summary>
    private async Task SettleAsync(FlowMessage message, Settled settled, PendingRetry? retry)
    {
        switch (settled)
        {
            case Settled.Completed:
                _step.Deduplication.Complete(message.Id);
                await _step.SaveCompletedAsync(_step.Options.DeduplicationSaveInterval);
                break;
            case Settled.GaveUp:
                _step.Deduplication.Abandon(message.Id);
                break;
            case Settled.Retry:
                LogRetrying(_step.Logger, _step.FlowId, _step.StepId, message.Id, retry!.Attempts.Count, retry.Due, retry.Attempts[^1].Error);
                Schedule(retry);
                await SaveRetriesAsync();
                break;
        }
    }

    private void Schedule(PendingRetry retry)
    {
        var delay = retry.Due - _step.Time.GetUtcNow();
        var timer = _step.RegisterTimer(
            _ => RetryAsync(retry.Message.Id),
            new GrainTimerCreationOptions(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        _pending[retry.Message.Id] = (retry, timer);
    }

    /// <summary>A retry's timer: tries the message again, outside any stream delivery (the stream acknowledged it).</summary>
    private async Task RetryAsync(string messageId)
    {
        if (!_pending.Remove(messageId, out var pending))
        {
            return;
        }

        pending.Timer.Dispose();
        var entry = new InboxEntry(pending.Retry.Message, Stopwatch.GetTimestamp());
        using var hop = StepHopSpans.Begin(_step.SpanNames, entry);
        using var scope = hop.Scope(_step.Logger);
        var (outputs, settled, retry) = await TryAsync(entry with { Message = hop.Message(0) });
        retry = retry is null ? null : retry with { Message = entry.Message };
        hop.Publishing();
        try
        {
            await _step.Streams.PublishDataAsync(outputs, batched: false);
            await _step.Streams.PublishEventsAsync(outputs, batched: false);
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            // No stream delivers it again: it counts as a failed try of its own.
            _retries.Forget(messageId);
            _retries.Load(pending.Retry);
            settled = _retries.Settle(
                outputs = _step.NewOutputs(), Plan, entry, null, _step.Describe(e, Plan, _container.Revision), null, out retry);
            await _step.Streams.PublishEventsAsync(outputs, batched: false);
        }

        hop.Published(outputs);
        await SettleAsync(entry.Message, settled, retry);
        if (settled != Settled.Retry)
        {
            await SaveRetriesAsync();
        }
    }

    private async Task SaveRetriesAsync()
    {
        try
        {
            await _step.State.SaveRetriesAsync(_pending.Values.Select(p => p.Retry), _step.Deduplication);
        }
        catch (Exception e)
        {
            // This activation retries them all the same; only a later one would not know of them.
            LogRetriesNotSaved(_step.Logger, _step.FlowId, _step.StepId, e);
        }
    }

    /// <summary>The flow stopped: the messages waiting for a retry will not get one; each gets an error event.</summary>
    private async Task DropRetriesAsync()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var outputs = _step.NewOutputs();
        foreach (var (retry, timer) in _pending.Values)
        {
            timer.Dispose();
            _step.Deduplication.Abandon(retry.Message.Id);
            outputs.Fail(retry.Message,
                $"Step '{_step.StepId}' stopped (its flow was stopped) before it tried the message again ({retry.Attempts.Count} failed tries; last: {retry.Attempts[^1].Error}); it was not processed.",
                _step.Time.GetUtcNow() - retry.FirstTried);
        }

        _pending.Clear();
        await SaveRetriesAsync();
        try
        {
            await _step.Streams.PublishEventsAsync(outputs, batched: false);
        }
        catch (Exception e)
        {
            LogRetriesNotSaved(_step.Logger, _step.FlowId, _step.StepId, e);
        }
    }

    public async Task<IReadOnlyList<Emit>> InvokeTriggerAsync(FlowMessage tick, string? snapshot)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        budget.CancelAfter(_step.DeliveryBudget);
        _busy++;
        try
        {
            await EnsureContainerAsync(budget.Token);
            return await _invoker.InvokeAsync(Plan, tick, snapshot, budget.Token);
        }
        finally
        {
            _busy--;
            _lastMessage = _step.Time.GetTimestamp();
        }
    }

    public void OnContainerDied(string containerId)
    {
        if (_container.Lease?.ContainerId == containerId)
        {
            _invoker.Suspect = true; // the next message checks, and replaces what does not answer
        }
    }

    public async Task StopAsync()
    {
        _stopping.Cancel();
        await DropRetriesAsync();
        await ReleaseAsync();
    }

    public Task DeactivateAsync(CancellationToken cancellationToken) => ReleaseAsync();

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        await _invoker.WhenReplacedAsync();
        if (_container.Lease is not null)
        {
            return;
        }

        // Ordinary steps take the newest revision at each container start.
        var revision = await _step.LatestRevision(Plan.Step.ComponentId);
        try
        {
            await _container.StartAsync(_step.Request(Plan, revision), cancellationToken);
            LogContainerStarted(_step.Logger, _step.FlowId, _step.StepId, _container.Lease!.ContainerId, revision.Revision);
            SetPhase(StepPhase.WarmingUp);
            await _container.WaitReadyAsync(_step.Options.ColdStartTimeout, cancellationToken);
        }
        catch (Exception e)
        {
            // Not started, or not ready in time: the step's status says why (its exit code and last stderr lines when
            // it exited), and the next message starts afresh rather than wait on this one.
            _error = _step.Describe(e, Plan, revision);
            await _container.ReleaseAsync();
            SetPhase(StepPhase.Failed);
            throw;
        }

        _error = null;
        SetPhase(StepPhase.Ready);
        var period = TimeSpan.FromTicks(Math.Min(_step.Options.LeaseDuration.Ticks, _step.Options.IdleTimeout.Ticks) / 4);
        _timer ??= _step.RegisterTimer(OnTimerAsync, new GrainTimerCreationOptions(period, period) { Interleave = true });
    }

    /// <summary>Interleaves, so a message in progress never delays the lease: renews it, and lets an idle activation go.</summary>
    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        // Messages waiting for a retry keep the activation (and its container): their timers are its own.
        if (_busy == 0 && _pending.Count == 0 && _step.Time.GetElapsedTime(_lastMessage) >= _step.Options.IdleTimeout)
        {
            _step.DeactivateOnIdle(); // deactivation releases the container
            return;
        }

        try
        {
            await _container.RenewIfDueAsync(_stopping.Token);
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            LogRenewFailed(_step.Logger, _step.FlowId, _step.StepId, e.Message);
            _invoker.Suspect = true;
        }
    }

    private async Task ReplaceContainerAsync()
    {
        // Inside a delivery, whose budget still bounds the whole: a replacement is a cold start.
        await _container.ReplaceAsync(_step.Options.ColdStartTimeout, _stopping.Token);
        SetPhase(StepPhase.Ready);
    }

    private async Task ReleaseAsync()
    {
        _timer?.Dispose();
        _timer = null;
        await _container.ReleaseAsync();
        if (_phase != StepPhase.Idle)
        {
            _error = null;
            SetPhase(StepPhase.Idle);
        }
    }

    private void SetPhase(StepPhase phase)
    {
        _phase = phase;
        _step.Report(Plan.RunId, Status);
    }

    private string Describe(Exception e) => e is OperationCanceledException && _stopping.IsCancellationRequested
        ? $"Step '{_step.StepId}' stopped (its flow was stopped) while it processed the message; it may or may not have been processed."
        : e is OperationCanceledException
            ? $"Step '{_step.StepId}' (component '{Plan.Step.ComponentId}') did not finish the message within its delivery budget of {_step.DeliveryBudget.TotalSeconds:0.#} s (90 % of Orleans' grain-call timeout)."
            : _step.Describe(e, Plan, _container.Revision);

    [LoggerMessage(EventId = 1150, Level = LogLevel.Information, Message = "Flow {FlowId} step {StepId} started container {ContainerId} (revision {Revision})")]
    private static partial void LogContainerStarted(ILogger logger, string flowId, string stepId, string containerId, int revision);

    [LoggerMessage(EventId = 1151, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} failed execution {ExecutionId}: {Reason}")]
    private static partial void LogMessageFailed(ILogger logger, string flowId, string stepId, string executionId, string reason);

    [LoggerMessage(EventId = 1152, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not renew its container lease: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string flowId, string stepId, string reason);

    [LoggerMessage(EventId = 1154, Level = LogLevel.Information, Message = "Flow {FlowId} step {StepId} tries message {MessageId} again at {Due:O} (after {Tries} failed tries; last: {Reason})")]
    private static partial void LogRetrying(ILogger logger, string flowId, string stepId, string messageId, int tries, DateTimeOffset due, string reason);

    [LoggerMessage(EventId = 1155, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not store the messages it retries")]
    private static partial void LogRetriesNotSaved(ILogger logger, string flowId, string stepId, Exception exception);
}
