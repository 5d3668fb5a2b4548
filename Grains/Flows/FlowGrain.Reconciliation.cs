using FlowActors.Client;
using FlowActors.Grains.Triggers;
using FlowActors.Telemetry;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Flows;

/// <summary>
/// How a flow keeps its real-time run: it asks its steps where they are (at start, after an activation, on its
/// reminder), takes their reports of the current run only, and fails a run at most once.
/// </summary>
public sealed partial class FlowGrain
{
    public Task ReportStepAsync(string runId, StepStatus status) => ApplyAsync(runId, status);

    public async Task<FlowStatus> WakeAsync()
    {
        await ReconcileAsync();
        return await GetStatusAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State is { Lifecycle: FlowLifecycle.Running, Run.Mode: FlowMode.Realtime })
        {
            await ReconcileAsync();
        }
        else
        {
            await UnregisterReminderAsync(); // a reminder that outlived its run
        }
    }

    private async Task ReconcileOnActivationAsync(CancellationToken cancellationToken)
    {
        _reconcileOnActivation?.Dispose();
        _reconcileOnActivation = null;
        await ReconcileAsync();
    }

    /// <summary>
    /// Asks the steps again every <see cref="FlowOptions.WarmUpRecheck"/> until every step is ready: while the warm-up
    /// goes on, and while a step of the running flow is warming up again (its container replaced, or its activation
    /// moved to another silo). A step's one-way report of being ready may be lost, and the flow's status must not show a
    /// step as warming up, idle or failed for the minute until its reminder while the step serves.
    /// </summary>
    private void RecheckUntilReady()
    {
        if (_recheck is not null)
        {
            return;
        }

        var period = options.Value.WarmUpRecheck;
        _recheck = this.RegisterGrainTimer(async _ =>
        {
            if (_lifecycle == FlowLifecycle.WarmingUp)
            {
                LogWarmUpRecheck(logger, FlowId, time.GetElapsedTime(_warmUpStarted).TotalSeconds);
                await ReconcileAsync();
            }
            else if (_lifecycle == FlowLifecycle.Running && _steps.Values.FirstOrDefault(s => s.Phase != StepPhase.Ready) is { } step)
            {
                LogStepNotReady(logger, FlowId, step.StepId, step.Phase);
                await ReconcileAsync();
            }
            else
            {
                _recheck?.Dispose();
                _recheck = null;
            }
        }, new GrainTimerCreationOptions(period, period));
    }

    /// <summary>
    /// Asks every step of the real-time run where it is (a step that lost its activation or its container takes the run
    /// up again on being asked) and takes their answers as reports. Keeps the reminder that repeats this registered.
    /// </summary>
    private async Task ReconcileAsync()
    {
        if (state.State.Run is not { Mode: FlowMode.Realtime } run || _lifecycle is not (FlowLifecycle.WarmingUp or FlowLifecycle.Running))
        {
            return;
        }

        await EnsureReminderAsync();
        var answers = await Task.WhenAll(_steps.Keys.ToArray().Select(stepId => AskStepAsync(run, stepId)));
        foreach (var answer in answers)
        {
            await ApplyAsync(run.RunId, answer);
        }
    }

    private async Task<StepStatus> AskStepAsync(FlowRun run, string stepId)
    {
        try
        {
            return await Step(stepId).StartRealtimeAsync(PlanFor(run, stepId)!);
        }
        catch (Exception e)
        {
            return _steps[stepId] with { Phase = StepPhase.Failed, ContainerId = null, Error = $"Step '{stepId}' could not be reached: {e.Message}" };
        }
    }

    /// <summary>A step's report, or its answer to reconciliation. Reports of another run than the current one change nothing.</summary>
    private async Task ApplyAsync(string runId, StepStatus status)
    {
        if (state.State.Run?.RunId != runId || !_steps.ContainsKey(status.StepId) || _lifecycle is not (FlowLifecycle.WarmingUp or FlowLifecycle.Running))
        {
            LogStaleReport(logger, FlowId, status.StepId, runId);
            return;
        }

        _steps[status.StepId] = status;
        if (status.Phase != StepPhase.Ready && state.State.Run?.Mode == FlowMode.Realtime)
        {
            RecheckUntilReady();
        }

        if (status.Phase == StepPhase.Failed && _failOnStepFailure)
        {
            if (_lifecycle == FlowLifecycle.WarmingUp)
            {
                FlowMetrics.WarmedUp(FlowId, time.GetElapsedTime(_warmUpStarted), succeeded: false);
            }

            await FailAsync(runId, $"Step '{status.StepId}' failed to warm up: {status.Error}");
        }
        else if (_lifecycle == FlowLifecycle.WarmingUp && _steps.Values.All(s => s.Phase == StepPhase.Ready))
        {
            _lifecycle = FlowLifecycle.Running;
            _failOnStepFailure = false;
            var warmUp = time.GetElapsedTime(_warmUpStarted);
            FlowMetrics.WarmedUp(FlowId, warmUp, succeeded: true);
            LogWarm(logger, FlowId, warmUp.TotalMilliseconds);
        }
    }

    /// <summary>Ends the run <paramref name="runId"/> as failed; at most once, however many reports say so.</summary>
    private async Task FailAsync(string runId, string error)
    {
        if (state.State.Run?.RunId != runId || _lifecycle is not (FlowLifecycle.WarmingUp or FlowLifecycle.Running))
        {
            return;
        }

        LogFailed(logger, FlowId, error);
        var steps = _steps.Keys.ToArray();
        _lifecycle = FlowLifecycle.Stopping;
        await FlowTriggers.StopAsync(GrainFactory, FlowId, logger);
        await UnregisterReminderAsync();
        await StopStepsAsync(steps);
        await UpdateStateAsync(s =>
        {
            s.Lifecycle = FlowLifecycle.Failed;
            s.Run = null;
        });
        EndRun(FlowLifecycle.Failed, error);
    }

    private async Task StopStepsAsync(IEnumerable<string> steps)
    {
        var stops = steps.Select(async stepId =>
        {
            try
            {
                await Step(stepId).StopAsync();
            }
            catch (Exception e)
            {
                // A step that cannot be reached now ends its run itself: it asks the flow at every lease renewal.
                LogStepStopFailed(logger, FlowId, stepId, e);
            }
        });
        await Task.WhenAll(stops);
    }

    private async Task EnsureReminderAsync()
    {
        if (!_reminderRegistered)
        {
            var period = options.Value.ReconcilePeriod;
            await this.RegisterOrUpdateReminder(ReconcileReminder, period, period);
            _reminderRegistered = true;
        }
    }

    private async Task UnregisterReminderAsync()
    {
        _reminderRegistered = false;
        try
        {
            if (await this.GetReminder(ReconcileReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception e)
        {
            // A reminder left behind finds the run over at its next tick and unregisters itself.
            LogReminderNotRemoved(logger, FlowId, e);
        }
    }

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Flow {FlowId} is warm after {WarmUpMs:F0} ms")]
    private static partial void LogWarm(ILogger logger, string flowId, double warmUpMs);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Flow {FlowId} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string flowId, string error);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Flow {FlowId} could not stop step {StepId}")]
    private static partial void LogStepStopFailed(ILogger logger, string flowId, string stepId, Exception exception);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Flow {FlowId} ignores a report of step {StepId} about run {RunId}, which is not the current run")]
    private static partial void LogStaleReport(ILogger logger, string flowId, string stepId, string runId);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Flow {FlowId} could not remove its reconciliation reminder")]
    private static partial void LogReminderNotRemoved(ILogger logger, string flowId, Exception exception);

    [LoggerMessage(EventId = 9303, Level = LogLevel.Information, Message = "Flow {FlowId} runs but step {StepId} is {Phase}: asking its steps again")]
    private static partial void LogStepNotReady(ILogger logger, string flowId, string stepId, StepPhase phase);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "Flow {FlowId} is still warming up after {Seconds:F0} s: asking its steps again")]
    private static partial void LogWarmUpRecheck(ILogger logger, string flowId, double seconds);
}
