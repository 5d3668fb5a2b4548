using FlowActors.Client;
using FlowActors.Grains.Delivery;
using FlowActors.Grains.Interfaces.Containers;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Steps.Tracing;
using FlowActors.Telemetry;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Steps;

/// <summary>
/// One run of a real-time step. It holds a container from the flow's start to its stop: it re-adopts the one the
/// step's state names when an earlier activation held it, or starts one, and warms it up in the background. Messages
/// go into a bounded inbox whose pump calls the component once per batch, after warm-up and in order. The lease is
/// renewed on an interleaving timer, so a busy inbox never delays it, and the same tick asks the flow whether the run
/// still goes on. A container that dies is replaced at once. Everything the run starts (probes, calls, replacements,
/// the timer) ends with it. How it serves messages is in RealtimeStep.Messages.cs.
/// </summary>
internal sealed partial class RealtimeStep : IStepRunner
{
    private readonly StepContext _step;
    private readonly Func<RealtimeStep, Task> _endRun;
    private readonly Func<Task<StepPlan?>> _askFlow;
    private readonly CancellationTokenSource _run = new();
    private readonly StepContainer _container;
    private readonly StepInvoker _invoker;
    private readonly StepInbox _inbox;
    private readonly IDisposable _inboxDepth;
    private readonly ComponentRevision _revision;
    private readonly StepRetries _retries;
    private readonly Dictionary<string, InboxEntry> _waiting = new(StringComparer.Ordinal);
    private IGrainTimer? _leaseTimer;
    private Task _establishing = Task.CompletedTask;
    private StepPhase _phase;
    private string? _error;
    private bool _errorCertain;

    /// <param name="askFlow">The flow's current plan for the step (null when the flow runs no more).</param>
    /// <param name="endRun">Ends this run from the grain's side, when the flow says it is over.</param>
    public RealtimeStep(StepPlan plan, StepContext step, Func<Task<StepPlan?>> askFlow, Func<RealtimeStep, Task> endRun)
    {
        Plan = plan;
        _revision = plan.PinnedRevision ?? throw new ArgumentException($"Real-time step '{step.StepId}' needs the revision its flow pinned.", nameof(plan));
        _step = step;
        _askFlow = askFlow;
        _endRun = endRun;
        _container = new StepContainer(step.Runtime, step.Options, step.Time);
        _retries = step.Retries(plan);
        _invoker = new StepInvoker(step.Components, step.Credentials, _container, step.Options, _retries.Policy.KeepOrder,
            StepHopSpans.Measured(step, ReplaceContainerAsync), step.SpanNames, step.Logger);
        _inbox = new StepInbox(step.Options.InboxCapacity, () => _invoker.BatchLimit, step.Options.MaxBatchBytes, ProcessAsync);
        _inboxDepth = FlowMetrics.TrackInbox(step.FlowId, step.StepId, () => _inbox.Count);
        step.Streams.UseNext(plan);
        step.UseExpressions(plan);
    }

    public StepPlan Plan { get; }

    public string RunId => Plan.RunId;

    public StepStatus Status => new(
        _step.StepId, Plan.Step.ComponentId, _revision.Revision, _phase, _container.Lease?.ContainerId, _error);

    private CancellationToken RunToken => _run.Token;

    /// <summary>Takes the container up (re-adopted or new) in the background, and starts renewing its lease.</summary>
    public void Start()
    {
        // From now on the run holds a container or is getting one: not idle, whatever its flow asks before it is ready.
        _phase = StepPhase.WarmingUp;
        var period = _step.Options.LeaseDuration / 4;
        _leaseTimer = _step.RegisterTimer(OnLeaseTimerAsync, new GrainTimerCreationOptions(period, period) { Interleave = true });
        _establishing = EstablishAsync();
    }

    /// <summary>
    /// The flow asks where the step is in this run (its reconciliation): a run that failed here tries again, and a
    /// container the runtime no longer runs (lost without a death event) is replaced. Answers with the status then.
    /// </summary>
    public async Task<StepStatus> ReconcileAsync()
    {
        if (RunToken.IsCancellationRequested || !_establishing.IsCompleted)
        {
            return Status;
        }

        if (_phase == StepPhase.Failed)
        {
            // The container could not be started, or did not come up in time: start afresh.
            _establishing = _container.Lease is null ? EstablishAsync() : ReplaceInBackgroundAsync();
        }
        else
        {
            await ReplaceIfGoneAsync("reconciliation");
        }

        return Status;
    }

    /// <summary>
    /// Replaces the container when the runtime no longer runs it. Deaths are reported as events, but an event can be
    /// missed (Docker's event stream reconnecting, an engine restart): this check bounds how long a step can hold a dead
    /// container without a message arriving to find out.
    /// </summary>
    private async Task ReplaceIfGoneAsync(string foundBy)
    {
        // Asked again after the await: a death event may have started a replacement meanwhile.
        if (_establishing.IsCompleted && _container.Lease is { } lease && !await _container.IsRunningAsync(RunToken)
            && _container.Lease == lease && _establishing.IsCompleted)
        {
            LogContainerGone(_step.Logger, _step.FlowId, _step.StepId, lease.ContainerId, foundBy);
            _establishing = ReplaceInBackgroundAsync();
        }
    }

    public void OnContainerDied(string containerId)
    {
        if (_container.Lease?.ContainerId != containerId)
        {
            return; // already replaced or released
        }

        LogContainerDied(_step.Logger, _step.FlowId, _step.StepId, containerId);
        if (_establishing.IsCompleted)
        {
            _establishing = ReplaceInBackgroundAsync();
        }
        else
        {
            _invoker.Suspect = true; // the warm-up's probe loop sees it exit
        }
    }

    public async Task StopAsync()
    {
        _inboxDepth.Dispose();
        await EndAsync();
        await AccountForAsync([.. await _inbox.CloseAsync(), .. TakeWaiting()],
            $"Step '{_step.StepId}' stopped (its flow was stopped, or failed) before it processed the message; it was not processed. Start the flow and send it again.");
        if (_container.Lease is { } lease)
        {
            LogContainerStopping(_step.Logger, _step.FlowId, _step.StepId, lease.ContainerId);
            await _container.ReleaseAsync();
        }

        try
        {
            await _step.State.ClearLeaseAsync();
        }
        catch (Exception e)
        {
            // The container is gone either way; a later activation finds the lease stale and lets it go.
            LogLeaseNotCleared(_step.Logger, _step.FlowId, _step.StepId, e);
        }

        _phase = StepPhase.Idle;
        _error = null;
    }

    public Task DeactivateAsync(CancellationToken cancellationToken) => DeactivateAsync(cancellationToken, keepContainer: null);

    /// <summary>
    /// The activation ends while the run goes on: what the stream already handed over is processed (as long as the
    /// deactivation allows), and the container keeps running under its lease, which the next activation re-adopts.
    /// </summary>
    /// <param name="keepContainer">
    /// Whether the next activation will find this container's lease stored, unless this activation lost its state to
    /// another one that stored a lease of its own: a container nobody will adopt is stopped rather than left to the reaper.
    /// </param>
    public async Task DeactivateAsync(CancellationToken cancellationToken, Func<ContainerLease, Task<bool>>? keepContainer)
    {
        _leaseTimer?.Dispose();
        _inboxDepth.Dispose();

        // Out of time for the deactivation: the call in flight is cancelled too, and its messages get error events.
        using var outOfTime = cancellationToken.Register(_run.Cancel);
        await AccountForAsync([.. await _inbox.CloseAsync(drainUntil: cancellationToken), .. TakeWaiting()],
            $"Step '{_step.StepId}' moved (its activation ended) before it processed the message; it was not processed. Send it again.");
        await EndAsync();
        if (_container.Lease is { } lease && keepContainer is not null && !await keepContainer(lease))
        {
            LogContainerNotAdopted(_step.Logger, _step.FlowId, _step.StepId, lease.ContainerId);
            await _container.ReleaseAsync();
        }

        _container.Detach();
    }

    /// <summary>Cancels what the run started and waits for it to wind down.</summary>
    private async Task EndAsync()
    {
        _leaseTimer?.Dispose();
        _leaseTimer = null;
        _run.Cancel();
        await _establishing; // never throws
    }

    private async Task EstablishAsync()
    {
        var revision = _revision;
        var request = _step.Request(Plan, revision);
        try
        {
            var stored = _step.State.Current;
            if (stored.RunId == RunId && stored.Lease is { } held && await _container.TryAdoptAsync(held, request, RunToken))
            {
                LogContainerAdopted(_step.Logger, _step.FlowId, _step.StepId, held.ContainerId);
            }
            else
            {
                await _container.StartAsync(request, RunToken);
                LogContainerStarted(_step.Logger, _step.FlowId, _step.StepId, _container.Lease!.ContainerId, revision.Revision);
                await SaveLeaseAsync();
            }

            SetPhase(StepPhase.WarmingUp);
            await _container.WaitReadyAsync(_step.Options.StartTimeout, RunToken);
            _error = null;
            SetPhase(StepPhase.Ready);
        }
        catch (OperationCanceledException) when (RunToken.IsCancellationRequested)
        {
            // The run ended while the container started: whoever ended it releases what is held.
        }
        catch (Exception e)
        {
            _error = _step.Describe(e, Plan, revision);
            _errorCertain = StepException.IsCertain(e);
            LogNotReady(_step.Logger, _step.FlowId, _step.StepId, _error);
            SetPhase(StepPhase.Failed);
        }
    }

    /// <summary>Stores the lease, so that a later activation re-adopts the container instead of starting one.</summary>
    private async Task SaveLeaseAsync()
    {
        try
        {
            await _step.State.SaveLeaseAsync(RunId, _container.Lease!, _revision);
        }
        catch (Exception e)
        {
            // The run goes on; only a reactivation would start a new container rather than re-adopt this one.
            LogLeaseNotSaved(_step.Logger, _step.FlowId, _step.StepId, e);
        }
    }

    /// <summary>
    /// Interleaves with everything, so message work never delays it: renews the lease, replaces a container the runtime
    /// no longer runs, and ends the run when the flow says it is over (a stop that could not reach this step).
    /// </summary>
    private async Task OnLeaseTimerAsync(CancellationToken cancellationToken)
    {
        if (RunToken.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await _container.RenewIfDueAsync(RunToken);
        }
        catch (Exception e) when (!RunToken.IsCancellationRequested)
        {
            LogRenewFailed(_step.Logger, _step.FlowId, _step.StepId, e.Message);
            FlowMetrics.LeaseRenewalFailed(_step.FlowId, _step.StepId);
        }

        try
        {
            await ReplaceIfGoneAsync("the lease tick");
        }
        catch (Exception e) when (!RunToken.IsCancellationRequested)
        {
            // The runtime cannot say right now (engine busy or restarting): the next tick asks again.
            LogLivenessUnknown(_step.Logger, _step.FlowId, _step.StepId, e.Message);
        }

        try
        {
            if (await _askFlow() is not { } plan || plan.RunId != RunId)
            {
                LogRunOver(_step.Logger, _step.FlowId, _step.StepId, RunId);
                await _endRun(this);
            }
        }
        catch (Exception e) when (!RunToken.IsCancellationRequested)
        {
            // The flow cannot be reached right now: the run goes on, and the next tick asks again.
            LogFlowUnreachable(_step.Logger, _step.FlowId, _step.StepId, e.Message);
        }
    }

    private async Task ReplaceInBackgroundAsync()
    {
        try
        {
            await _invoker.ReplaceContainerAsync();
        }
        catch (OperationCanceledException) when (RunToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _error = _step.Describe(e, Plan, _container.Revision);
            _errorCertain = StepException.IsCertain(e);
            LogNotReady(_step.Logger, _step.FlowId, _step.StepId, _error);
            SetPhase(StepPhase.Failed);
        }
    }

    /// <summary>The invoker's way to replace the container (it joins replacements already under way).</summary>
    private async Task ReplaceContainerAsync()
    {
        LogReplacingContainer(_step.Logger, _step.FlowId, _step.StepId, _container.Lease?.ContainerId);
        SetPhase(StepPhase.WarmingUp);
        await _container.ReplaceAsync(_step.Options.StartTimeout, RunToken);
        await SaveLeaseAsync();
        _error = null;
        SetPhase(StepPhase.Ready);
    }

    private void SetPhase(StepPhase phase)
    {
        _phase = phase;
        if (!RunToken.IsCancellationRequested)
        {
            _step.Report(RunId, Status);
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Flow {FlowId} step {StepId} started container {ContainerId} (revision {Revision})")]
    private static partial void LogContainerStarted(ILogger logger, string flowId, string stepId, string containerId, int revision);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Flow {FlowId} step {StepId} took its container {ContainerId} up again (its lease was still held)")]
    private static partial void LogContainerAdopted(ILogger logger, string flowId, string stepId, string containerId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Flow {FlowId} step {StepId} stopping container {ContainerId}")]
    private static partial void LogContainerStopping(ILogger logger, string flowId, string stepId, string containerId);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} replaces container {ContainerId}")]
    private static partial void LogReplacingContainer(ILogger logger, string flowId, string stepId, string? containerId);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId}: container {ContainerId} died")]
    private static partial void LogContainerDied(ILogger logger, string flowId, string stepId, string containerId);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} is not ready: {Reason}")]
    private static partial void LogNotReady(ILogger logger, string flowId, string stepId, string reason);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not renew its container lease: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string flowId, string stepId, string reason);

    [LoggerMessage(EventId = 1113, Level = LogLevel.Information, Message = "Flow {FlowId} step {StepId}: run {RunId} is over (the flow runs no more, or another run); releasing its container")]
    private static partial void LogRunOver(ILogger logger, string flowId, string stepId, string runId);

    [LoggerMessage(EventId = 1114, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not reach its flow to check its run: {Reason}")]
    private static partial void LogFlowUnreachable(ILogger logger, string flowId, string stepId, string reason);

    [LoggerMessage(EventId = 1116, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId}: container {ContainerId} is gone (found by {FoundBy}, not by a death event)")]
    private static partial void LogContainerGone(ILogger logger, string flowId, string stepId, string containerId, string foundBy);

    [LoggerMessage(EventId = 1118, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not clear its stored lease")]
    private static partial void LogLeaseNotCleared(ILogger logger, string flowId, string stepId, Exception exception);

    [LoggerMessage(EventId = 1120, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId}: could not ask whether its container still runs ({Reason}); asking again at the next lease tick")]
    private static partial void LogLivenessUnknown(ILogger logger, string flowId, string stepId, string reason);

    [LoggerMessage(EventId = 9301, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} stops container {ContainerId}: another activation of the step stored a lease of its own, so nobody would adopt it")]
    private static partial void LogContainerNotAdopted(ILogger logger, string flowId, string stepId, string containerId);

    [LoggerMessage(EventId = 1119, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not store its lease; a reactivation would start a new container")]
    private static partial void LogLeaseNotSaved(ILogger logger, string flowId, string stepId, Exception exception);
}
