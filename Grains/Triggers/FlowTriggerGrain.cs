using FlowActors.Client;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Triggers;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Triggers;

/// <summary>
/// The lifecycle every trigger of a flow shares. The trigger keeps its flow's run in its state (the flow tells it with
/// <see cref="FlowStartedAsync"/> and <see cref="FlowStoppedAsync"/>); while it is <see cref="Active"/> (configured, and
/// its flow runs) a reminder (<see cref="TriggerHeartbeat"/>) wakes it wherever it is activated next, and a heartbeat
/// that finds the flow stopped (a stop that never reached the trigger) stops it. A trigger says only how it keeps up
/// and stops its own work: a schedule's ticks, a Service Bus receiver.
/// </summary>
/// <param name="kind">What logs call the trigger: "schedule", "Service Bus trigger".</param>
public abstract partial class FlowTriggerGrain<TState>(
    IPersistentState<TState> state, TriggerOptions options, ILogger logger, string heartbeatReminder, string kind)
    : Grain, IFlowTriggerGrain, IRemindable
{
    private readonly TriggerHeartbeat _heartbeat = new(heartbeatReminder, options.HeartbeatPeriod);

    private TriggerStateWriter<TState>? _store;

    /// <summary>Writes the state, one write after the other; a write refused for its ETag ends this activation.</summary>
    private protected TriggerStateWriter<TState> Store => _store ??= new(state, GrainContext, logger);

    protected TState State
    {
        get => state.State;
        set => state.State = value;
    }

    protected TriggerOptions Options => options;

    protected ILogger Logger => logger;

    protected string FlowId => this.GetPrimaryKeyString();

    /// <summary>The flow's run the trigger serves, as its state keeps it; null while the flow is stopped.</summary>
    protected abstract TriggerRun? Run { get; set; }

    /// <summary>The trigger is configured and its flow runs: it should be at work.</summary>
    protected abstract bool Active { get; }

    /// <summary>Takes the trigger's work up unless it is at it already; called only while <see cref="Active"/>.</summary>
    protected abstract Task EnsureWorkingAsync();

    /// <summary>Stops the trigger's work, if it is at it.</summary>
    protected abstract Task StopWorkingAsync();

    /// <summary>A new run of the flow begins (stored with the state's next write): reset what counts from its start.</summary>
    protected virtual void OnRunStarted(TriggerRun run)
    {
    }

    public async Task FlowStartedAsync(TriggerRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (Run?.RunId != run.RunId)
        {
            Run = run;
            OnRunStarted(run);
            await Store.WriteAsync();
        }

        if (Active)
        {
            await EnsureHeartbeatAsync();
            await EnsureWorkingAsync();
        }
    }

    public async Task FlowStoppedAsync()
    {
        await StopWorkingAsync();
        if (Run is not null)
        {
            Run = null;
            await Store.WriteAsync();
        }

        await RemoveHeartbeatAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!Active)
        {
            await RemoveHeartbeatAsync(); // a reminder that outlived its trigger's settings or its run
            return;
        }

        // The flow may have stopped without reaching this grain: ask it rather than work for a run that is over.
        var flow = await GrainFactory.GetGrain<IFlowGrain>(FlowId).GetStatusAsync();
        if (flow.Lifecycle is not (FlowLifecycle.Running or FlowLifecycle.WarmingUp))
        {
            LogRunOver(logger, FlowId, flow.Lifecycle, kind);
            await FlowStoppedAsync();
            return;
        }

        _heartbeat.Ticked();
        await EnsureWorkingAsync();
    }

    protected Task EnsureHeartbeatAsync() => _heartbeat.EnsureAsync(this);

    /// <summary>Unregisters the heartbeat; a failure is logged, and the reminder left behind tries again at its next tick.</summary>
    protected Task RemoveHeartbeatAsync() => _heartbeat.RemoveAsync(this, e => LogHeartbeatNotRemoved(logger, FlowId, kind, e));

    [LoggerMessage(EventId = 7005, Level = LogLevel.Information, Message = "Flow {FlowId} is {Lifecycle}: its {Trigger} stops")]
    private static partial void LogRunOver(ILogger logger, string flowId, FlowLifecycle lifecycle, string trigger);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Warning, Message = "Flow {FlowId} could not remove its {Trigger}'s heartbeat reminder")]
    private static partial void LogHeartbeatNotRemoved(ILogger logger, string flowId, string trigger, Exception exception);
}
