using FlowActors.Client;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Executions;
using FlowActors.Grains.Interfaces.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace FlowActors.Grains.Executions;

/// <summary>
/// Follows one flow's events (implicit subscription: the flow's first event activates it): keeps its recent executions
/// in memory and its exact counters in storage. Losing the recent executions with the activation is accepted: they are
/// for looking at what just happened, and persisting every event would cost a storage write per execution. The
/// counters and the executions in flight are written at most every <see cref="StoreEvery"/> and on deactivation, so a
/// silo crash loses at most that much counting. The next activation knows it (<see cref="FlowAccountingState.Counting"/>):
/// the executions then in flight may have ended unrecorded, so one that gets no outcome within
/// <see cref="FlowOptions.InFlightTimeout"/> counts as outcome unknown, not as expired (lost).
/// </summary>
[ImplicitStreamSubscription(FlowStreams.Events)]
public sealed partial class ExecutionLogGrain(
    [PersistentState("accounting", StorageNames.Grains)] IPersistentState<FlowAccountingState> state,
    IOptions<ExecutionLogOptions> options,
    IOptions<FlowOptions> flowOptions,
    TimeProvider time,
    ILogger<ExecutionLogGrain> logger) : Grain, IExecutionLogGrain
{
    private static readonly TimeSpan StoreEvery = TimeSpan.FromSeconds(1);

    private readonly ExecutionLog _log = new(options.Value.Capacity, options.Value.MaxOutputBytes);
    private FlowAccounting _accounting = null!;
    private bool _stale;
    private bool _deactivating;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _accounting = new FlowAccounting(state.State, time);
        if (state.State.Counting && _accounting.TakeOverFromLostActivation() is > 0 and var uncertain)
        {
            LogTakenOver(logger, this.GetPrimaryKeyString(), uncertain);
        }

        var stream = this.GetStreamProvider(FlowStreams.Provider).GetStream<FlowEvent>(FlowStreams.EventsOf(this.GetPrimaryKeyString()));
        await stream.SubscribeAsync(OnEventAsync);
        this.RegisterGrainTimer(StoreAsync, new GrainTimerCreationOptions(StoreEvery, StoreEvery));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The last counts, and that they are the last: the next activation takes everything in flight as it is.
        _deactivating = true;
        state.State.Counting = false;
        _accounting.MarkDirty();
        await StoreAsync(cancellationToken);
    }

    public Task<IReadOnlyList<ExecutionRecord>> GetRecentAsync(int limit) => Task.FromResult(_log.Recent(limit));

    public Task<ExecutionRecord?> GetAsync(string executionId) => Task.FromResult(_log.Find(executionId));

    public Task<TimeSpan?> TryAcceptAsync(string executionId, int maxInFlight) =>
        Task.FromResult(_accounting.TryAccept(executionId, maxInFlight));

    public Task ReleaseAsync(string executionId)
    {
        _accounting.Release(executionId);
        return Task.CompletedTask;
    }

    public Task ReplayingAsync(string executionId)
    {
        _accounting.Replaying(executionId);
        _log.Replaying(executionId);
        return Task.CompletedTask;
    }

    public Task ReportStepAsync(IReadOnlyList<string> endedExecutions, int duplicatesDropped)
    {
        foreach (var id in endedExecutions)
        {
            _accounting.Outcome(id, failed: false);
        }

        _accounting.DuplicatesDropped(duplicatesDropped);
        return Task.CompletedTask;
    }

    public Task<FlowCounters> GetCountersAsync() => Task.FromResult(_accounting.Counters);

    private Task OnEventAsync(FlowEvent e, StreamSequenceToken? token)
    {
        ExecutionMetrics.Record(e);
        _log.Add(e, time.GetUtcNow());
        _accounting.Outcome(e.ExecutionId, failed: e.Kind == FlowEventKind.Error);
        if (e.Kind == FlowEventKind.Unrouted)
        {
            _accounting.OutputUnrouted();
        }
        return Task.CompletedTask;
    }

    private async Task StoreAsync(CancellationToken cancellationToken)
    {
        var (expired, unknown) = _accounting.Expire(flowOptions.Value.InFlightTimeout);
        if (expired > 0)
        {
            LogExpired(logger, this.GetPrimaryKeyString(), expired, flowOptions.Value.InFlightTimeout.TotalSeconds);
        }

        if (unknown > 0)
        {
            LogOutcomeUnknown(logger, this.GetPrimaryKeyString(), unknown, flowOptions.Value.InFlightTimeout.TotalSeconds);
        }

        if (!_accounting.Dirty || _stale)
        {
            return;
        }

        try
        {
            _accounting.MarkStored();
            if (!_deactivating)
            {
                state.State.Counting = true;
            }

            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception e)
        {
            if (StateConflicts.EndActivationIfConflict(GrainContext, e, logger))
            {
                _stale = true; // another activation counts now: this one's counts must not overwrite its
                return;
            }

            // Kept in memory; the next tick tries again.
            LogNotStored(logger, this.GetPrimaryKeyString(), e);
            _accounting.MarkDirty();
        }
    }

    [LoggerMessage(EventId = 8150, Level = LogLevel.Warning, Message = "Flow {FlowId}: {Count} executions had no outcome within {Seconds:0} s (lost with a silo?); they no longer count as in flight")]
    private static partial void LogExpired(ILogger logger, string flowId, int count, double seconds);

    [LoggerMessage(EventId = 9305, Level = LogLevel.Warning, Message = "Flow {FlowId}: the activation that counted its executions ended without storing its last counts (its silo died); the outcomes of {Count} executions then in flight may have been lost with it, and they will not count as lost if none comes")]
    private static partial void LogTakenOver(ILogger logger, string flowId, int count);

    [LoggerMessage(EventId = 9306, Level = LogLevel.Information, Message = "Flow {FlowId}: {Count} executions whose outcome the counting may have lost with a silo had none within {Seconds:0} s; counted as outcome unknown, not as lost")]
    private static partial void LogOutcomeUnknown(ILogger logger, string flowId, int count, double seconds);

    [LoggerMessage(EventId = 8151, Level = LogLevel.Warning, Message = "Flow {FlowId}: its counters could not be stored; trying again")]
    private static partial void LogNotStored(ILogger logger, string flowId, Exception exception);
}
