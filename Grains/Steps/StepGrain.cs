using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Grains.Credentials;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Containers;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Mappings;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Placement;
using Orleans.Streams;

namespace FlowActors.Grains.Steps;

/// <summary>
/// Runs one step of one flow. Messages arrive on the step's input stream (implicit subscription, so a message activates
/// the grain). The grain routes its contract to a runner chosen by the flow's mode: <see cref="RealtimeStep"/> (a
/// container held from flow start to flow stop, across activations) or <see cref="OrdinaryStep"/> (a container per
/// activation). What must survive a reactivation (a real-time container's lease, the component's snapshot) is in
/// <see cref="StepState"/>. This file holds the run's lifecycle; how stream messages reach the run is in
/// StepGrain.Delivery.cs, a schedule's tick in StepGrain.Polling.cs.
/// </summary>
/// <remarks>
/// Placed by activation count, not by Orleans' default (resource-optimized): a step's real cost is its container or
/// component process, which no silo's CPU or memory statistics show, and the default then keeps every step of a flow
/// on the silo whose API started it. Counting activations spreads the steps, and so the containers, over the cluster.
/// </remarks>
[ImplicitStreamSubscription(FlowStreams.StepInput)]
[ActivationCountBasedPlacement]
public sealed partial class StepGrain(
    [PersistentState("step", StorageNames.Grains)] IPersistentState<StepState> state,
    IContainerRuntime runtime,
    ComponentClient components,
    CredentialDirectory credentials,
    IOptions<StepOptions> options,
    IOptions<FlowLimitsOptions> limits,
    IOptions<SiloMessagingOptions> messaging,
    IOptions<MappingOptions> mappings,
    TimeProvider time,
    ILogger<StepGrain> logger) : Grain, IStepGrain
{
    private StepContext _step = null!; // made on activation: it needs the grain
    private IStepRunner? _runner;
    private int _stops;
    private bool _reportToFlow = true;
    private IGrainTimer? _resume;
    private int _resumeAttempts;

    private string FlowId => _step.FlowId;

    private string StepId => _step.StepId;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The key is {flowId}/{stepId}; parsed once, since both are used on every batch.
        var key = this.GetPrimaryKeyString().Split('/');
        var stepOptions = options.Value;
        var ledger = new StepLedger(GrainFactory, key[0]);
        _step = new StepContext
        {
            FlowId = key[0],
            StepId = key[1],
            Holder = $"{this.GetPrimaryKeyString()}@{RuntimeIdentity}",
            Options = stepOptions,
            MaxMessagesPerExecution = limits.Value.MaxMessagesPerExecution,
            DeliveryBudget = StepOptions.DeliveryBudget(messaging.Value.ResponseTimeout),
            MappingLimits = mappings.Value.Limits,
            Runtime = runtime,
            Components = components,
            Credentials = credentials,
            Time = time,
            Logger = logger,
            Streams = new StepStreams(ServiceProvider, key[0], key[1], stepOptions.PublishAttempts, time, ledger),
            State = new StepStateStore(state, time, e => StateConflicts.EndActivationIfConflict(GrainContext, e, logger)),
            Ledger = ledger,
            Deduplication = Deduplication(stepOptions.DeduplicationWindow, state.State.Completed),
            RegisterTimer = (callback, timer) => this.RegisterGrainTimer(callback, timer),
            Report = ReportToFlow,
            LatestRevision = LatestRevisionAsync,
            DeactivateOnIdle = DeactivateOnIdle,
        };
        // The fast provider carries real-time hops, the durable one (Azure profile) ordinary hops.
        foreach (var input in _step.Streams.Inputs())
        {
            await input.SubscribeAsync(OnStreamMessageAsync, OnStreamErrorAsync);
        }

        if (state.State.Lease is not null || state.State.Retries is { Count: > 0 })
        {
            // An earlier activation held a real-time container, or had messages to try again: take the run up again
            // now (before the lease runs out, or when the retries are due) rather than at the next message.
            _resume = this.RegisterGrainTimer(ResumeAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A silo that shuts down takes its flows with it: nobody is left to tell, and its containers go too.
        var shuttingDown = reason.ReasonCode == DeactivationReasonCode.ShuttingDown;
        _reportToFlow = !shuttingDown;
        try
        {
            switch (_runner)
            {
                case RealtimeStep run when !shuttingDown:
                    // The run goes on without this activation (memory pressure, a move, an explicit deactivation): the
                    // container keeps running, and a new activation takes it up at once. One that lost the step's state
                    // to another activation keeps it only if the stored lease is its own.
                    await run.DeactivateAsync(cancellationToken, _step.State.Stale ? KeepsStoredLeaseAsync : null);
                    LogMoving(logger, FlowId, StepId, reason.ReasonCode);
                    this.AsReference<IStepGrain>().GetStatusAsync().Ignore();
                    break;
                case RealtimeStep run:
                    await run.StopAsync();
                    break;
                case { } runner:
                    await runner.DeactivateAsync(cancellationToken);
                    break;
            }
        }
        finally
        {
            // The next activation drops what this one completed, if it is delivered again.
            await _step.SaveCompletedAsync(TimeSpan.Zero);
            _step.DisposeExpressions();
        }
    }

    private async Task<bool> KeepsStoredLeaseAsync(ContainerLease lease)
    {
        try
        {
            return (await _step.State.ReadStoredLeaseAsync())?.ContainerId == lease.ContainerId;
        }
        catch (Exception e)
        {
            LogStoredLeaseUnknown(logger, FlowId, StepId, e);
            return true; // cannot tell: leave it to the next activation, or to the reaper once its lease runs out
        }
    }

    private static StepDeduplication Deduplication(int window, IEnumerable<string>? completed)
    {
        var deduplication = new StepDeduplication(window);
        deduplication.Load(completed);
        return deduplication;
    }

    public async Task<StepStatus> StartRealtimeAsync(StepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Mode != FlowMode.Realtime)
        {
            throw new ArgumentException($"Step '{plan.Step.Id}' of flow '{plan.FlowId}': StartRealtimeAsync needs a real-time plan; it got {plan.Mode}.", nameof(plan));
        }

        if (_runner is RealtimeStep current && current.RunId == plan.RunId)
        {
            return await current.ReconcileAsync();
        }

        return (await RunAsync(plan))?.Status ?? IdleStatus();
    }

    public async Task StopAsync()
    {
        _stops++;
        await EndRunAsync();
        await ReleaseStaleLeaseAsync();
        DeactivateOnIdle();
    }

    public Task ContainerDiedAsync(string containerId)
    {
        _runner?.OnContainerDied(containerId);
        return Task.CompletedTask;
    }

    public Task<StepStatus> GetStatusAsync() => Task.FromResult(_runner?.Status ?? IdleStatus());

    /// <summary>Makes the step run <paramref name="plan"/>'s run, ending any other; null when there is no run to join.</summary>
    private async Task<IStepRunner?> RunAsync(StepPlan? plan)
    {
        if (_runner is { } current && current.Plan.RunId == plan?.RunId)
        {
            return current;
        }

        // StopAsync interleaves with this: a stop that comes while the run is being set up wins.
        var stops = _stops;
        await EndRunAsync();
        if (plan is null || state.State.RunId != plan.RunId)
        {
            await ReleaseStaleLeaseAsync();
        }

        if (plan is null || stops != _stops)
        {
            return null;
        }

        if (plan.Mode == FlowMode.Ordinary)
        {
            return _runner = new OrdinaryStep(plan, _step);
        }

        var run = new RealtimeStep(plan, _step, AskFlowAsync, EndRunAsync);
        _runner = run;

        // Idle collection (and IManagementGrain.ForceActivationCollection) leave the activation alone while the run goes
        // on. Other deactivations cannot be refused; the run's container survives them (see OnDeactivateAsync).
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        run.Start();
        return run;
    }

    /// <summary>Ends the current run, if any; the activation may be collected again.</summary>
    private async Task EndRunAsync()
    {
        var runner = _runner;
        _runner = null;
        if (runner is RealtimeStep)
        {
            DelayDeactivation(TimeSpan.Zero);
        }

        if (runner is not null)
        {
            await runner.StopAsync();
        }
    }

    /// <summary>The flow runs no more, or another run: a real-time run that could not be stopped ends itself.</summary>
    private async Task EndRunAsync(RealtimeStep run)
    {
        if (ReferenceEquals(_runner, run))
        {
            await EndRunAsync();
            DeactivateOnIdle();
        }
    }

    /// <summary>A container an earlier activation held for a run that is over: stop it rather than wait for the reaper.</summary>
    private async Task ReleaseStaleLeaseAsync()
    {
        if (state.State.Lease is not { } lease || (_runner is RealtimeStep run && run.RunId == state.State.RunId))
        {
            return;
        }

        LogReleasingStale(logger, FlowId, StepId, lease.ContainerId);
        try
        {
            await runtime.StopAsync(lease, CancellationToken.None);
        }
        catch (Exception e)
        {
            // Nobody renews its lease any more: the reaper removes it.
            LogStaleNotStopped(logger, FlowId, StepId, lease.ContainerId, e);
        }

        await _step.State.ClearLeaseAsync();
    }

    /// <summary>The timer an activation sets when it finds a lease in its state: ask the flow, and re-adopt or release.</summary>
    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        _resume?.Dispose();
        _resume = null;
        if (_runner is null && (state.State.Lease is not null || state.State.Retries is { Count: > 0 }))
        {
            try
            {
                await RunAsync(await AskFlowAsync());
            }
            catch (Exception e)
            {
                // The flow cannot say right now (its silo died and is not declared dead yet): ask again soon rather than
                // leave the run to the flow's reminder, a minute away.
                var delay = TimeSpan.FromSeconds(Math.Min(10, 1 << Math.Min(_resumeAttempts++, 4)));
                LogResumeRetry(logger, FlowId, StepId, delay.TotalSeconds, e.Message);
                _resume = this.RegisterGrainTimer(ResumeAsync, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));
                return;
            }
        }

        if (_runner is null && state.State.Retries is { Count: > 0 } retries)
        {
            // The flow runs no more: the messages an earlier activation was retrying will not be tried again.
            foreach (var retry in retries)
            {
                await RefuseAsync(retry.Message,
                    $"Step '{StepId}' was retrying the message when its flow '{FlowId}' stopped; it was not processed ({retry.Attempts.Count} failed tries). Start the flow and send it again.");
            }

            await _step.State.SaveRetriesAsync([], _step.Deduplication);
        }
    }

    private Task<StepPlan?> AskFlowAsync() => GrainFactory.GetGrain<IFlowGrain>(FlowId).GetStepPlanAsync(StepId);

    private async Task<ComponentRevision> LatestRevisionAsync(string componentId) =>
        await GrainFactory.GetGrain<IComponentGrain>(componentId).GetLatestAsync()
        ?? throw new InvalidOperationException($"Component '{componentId}' has no deployed revision. Deploy one, then send the message again.");

    private void ReportToFlow(string runId, StepStatus status)
    {
        if (_reportToFlow)
        {
            GrainFactory.GetGrain<IFlowGrain>(FlowId).ReportStepAsync(runId, status).Ignore();
        }
    }

    private StepStatus IdleStatus() => new(StepId, "", 0, StepPhase.Idle);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Flow {FlowId} step {StepId}: its activation ends ({Reason}) but its run goes on; a new activation takes its container up")]
    private static partial void LogMoving(ILogger logger, string flowId, string stepId, DeactivationReasonCode reason);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Flow {FlowId} step {StepId} stops container {ContainerId}, held for a run that is over")]
    private static partial void LogReleasingStale(ILogger logger, string flowId, string stepId, string containerId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not stop container {ContainerId}, held for a run that is over; the reaper removes it")]
    private static partial void LogStaleNotStopped(ILogger logger, string flowId, string stepId, string containerId, Exception exception);

    [LoggerMessage(EventId = 9304, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not ask its flow whether to take its run up ({Reason}); asking again in {Seconds:0} s")]
    private static partial void LogResumeRetry(ILogger logger, string flowId, string stepId, double seconds, string reason);

    [LoggerMessage(EventId = 9302, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not read which lease is stored; it leaves its container running for the next activation or the reaper")]
    private static partial void LogStoredLeaseUnknown(ILogger logger, string flowId, string stepId, Exception exception);
}
