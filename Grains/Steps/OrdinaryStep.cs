using System.Diagnostics;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Telemetry;
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
        _invoker = new StepInvoker(step.Components, _container, step.Options, StepHops.Measured(step, ReplaceContainerAsync), step.Logger);
        _lastMessage = step.Time.GetTimestamp();
        step.Streams.UseNext(plan);
    }

    public StepPlan Plan { get; }

    public StepStatus Status => new(
        _step.StepId, Plan.Step.ComponentId, _container.Revision?.Revision ?? 0, _phase, _container.Lease?.ContainerId, _error);

    /// <summary>
    /// Processes the message and publishes what comes of it before the delivery returns. A publish that still fails
    /// after its retries fails the delivery, so the stream delivers the message again (at least once).
    /// </summary>
    public async Task OnMessageAsync(InboxEntry entry)
    {
        using var hop = StepHops.Begin(_step.FlowId, _step.StepId, entry);
        using var scope = hop.Scope(_step.Logger);
        var message = hop.Message(0);
        var outputs = _step.NewOutputs();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        budget.CancelAfter(_step.DeliveryBudget);
        _busy++;
        try
        {
            await EnsureContainerAsync(budget.Token);
            var emits = await _invoker.InvokeAsync(Plan, message, _step.State.Current.Snapshot, budget.Token);
            outputs.Add(Plan, message, emits, entry.Received);
        }
        catch (Exception e)
        {
            var reason = Describe(e);
            LogMessageFailed(_step.Logger, _step.FlowId, _step.StepId, message.ExecutionId, reason);
            outputs = _step.NewOutputs();
            outputs.Fail(message, reason, Stopwatch.GetElapsedTime(entry.Received));
        }
        finally
        {
            _busy--;
            _lastMessage = _step.Time.GetTimestamp();
        }

        if (outputs.SnapshotChanged)
        {
            await SaveSnapshotAsync(outputs.Snapshot);
        }

        hop.Publishing();
        await _step.Streams.PublishDataAsync(outputs, batched: false);
        await _step.Ledger.RecordAsync(outputs); // dead letters not stored fail the delivery: it comes again
        await _step.Streams.PublishEventsAsync(outputs, batched: false);
        hop.Published(outputs);
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
        await ReleaseAsync();
    }

    public Task DeactivateAsync(CancellationToken cancellationToken) => ReleaseAsync();

    private async Task SaveSnapshotAsync(string? snapshot)
    {
        try
        {
            await _step.State.SaveSnapshotAsync(snapshot);
        }
        catch (Exception e)
        {
            // The activation keeps it in memory; only the next activation would miss it.
            LogSnapshotNotSaved(_step.Logger, _step.FlowId, _step.StepId, e);
        }
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        await _invoker.WhenReplacedAsync();
        if (_container.Lease is not null)
        {
            return;
        }

        // Ordinary steps take the newest revision at each container start.
        var revision = await _step.LatestRevision(Plan.Step.ComponentId);
        await _container.StartAsync(_step.Request(Plan, revision), cancellationToken);
        LogContainerStarted(_step.Logger, _step.FlowId, _step.StepId, _container.Lease!.ContainerId, revision.Revision);
        SetPhase(StepPhase.WarmingUp);
        try
        {
            await _container.WaitReadyAsync(_step.Options.ColdStartTimeout, cancellationToken);
        }
        catch (Exception e)
        {
            // Not ready in time: let the next message start afresh rather than wait on this one.
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
        if (_busy == 0 && _step.Time.GetElapsedTime(_lastMessage) >= _step.Options.IdleTimeout)
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
            FlowMetrics.LeaseRenewalFailed(_step.FlowId, _step.StepId);
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

    [LoggerMessage(EventId = 1153, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not store its snapshot")]
    private static partial void LogSnapshotNotSaved(ILogger logger, string flowId, string stepId, Exception exception);
}
