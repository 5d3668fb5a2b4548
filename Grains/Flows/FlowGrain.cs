using FlowActors.Client;
using FlowActors.Grains.Credentials;
using FlowActors.Grains.Interfaces.Catalog;
using FlowActors.Grains.Interfaces.Executions;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Interfaces.Triggers;
using FlowActors.Grains.Mappings;
using FlowActors.Grains.Triggers;
using FlowActors.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace FlowActors.Grains.Flows;

/// <summary>
/// Owns a flow's definitions, mode and lifecycle. It coordinates; the steps do the work: a real-time start asks every
/// step to take its run up and follows their reports, and a message goes onto the entry step's stream. A real-time run
/// is reconciled, not assumed: whenever the flow grain activates while its run goes on, and on a reminder while it
/// runs, it asks every step where it is in the run (<see cref="IStepGrain.StartRealtimeAsync"/>, idempotent), which
/// re-establishes what is missing. Every change of state happens in a non-interleaving turn, so writes never overlap.
/// </summary>
public sealed partial class FlowGrain(
    [PersistentState("flow", StorageNames.Grains)] IPersistentState<FlowState> state,
    IOptions<FlowOptions> options,
    TimeProvider time,
    IOptions<FlowLimitsOptions> limits,
    SharedExpressions expressions,
    ILogger<FlowGrain> logger) : Grain, IFlowGrain, IRemindable
{
    private const string ReconcileReminder = "reconcile";

    private readonly Dictionary<string, StepStatus> _steps = new(StringComparer.Ordinal);
    private FlowLifecycle _lifecycle;
    private string? _error;
    private FlowGraph? _graph;
    private IAsyncStream<FlowMessage>[] _entryStreams = [];
    private long _warmUpStarted;

    // True while a fresh start warms up: a step that fails then fails the run (its definition or a component is at
    // fault). Afterwards, and after a reactivation, a failed step is retried by the next reconciliation instead.
    private bool _failOnStepFailure;
    private bool _reminderRegistered;
    private IGrainTimer? _reconcileOnActivation;
    private IGrainTimer? _recheck;

    private string FlowId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _lifecycle = state.State.Lifecycle;
        if (state.State.Run is { } run && _lifecycle == FlowLifecycle.Running)
        {
            // The activation was lost while the flow ran (idle collection, a move, its silo gone); its steps may well run
            // on. Ask them, rather than assume: from a timer, because a step that is calling this flow right now (for its
            // plan) must get its answer before the flow waits on it.
            BeginRun(run);

            // Not awaited: a trigger calls back into this flow, which is busy activating until this returns.
            _ = FlowTriggers.StartAsync(GrainFactory, FlowId, TriggersOf(run), logger);
            if (run.Mode == FlowMode.Realtime)
            {
                LogReconciling(logger, FlowId, run.RunId);
                _lifecycle = FlowLifecycle.WarmingUp;
                _warmUpStarted = time.GetTimestamp();
                _reconcileOnActivation = this.RegisterGrainTimer(ReconcileOnActivationAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
                RecheckUntilReady();
            }
        }

        return Task.CompletedTask;
    }

    public async Task SaveDraftAsync(FlowDefinition draft)
    {
        var errors = new List<ValidationError>();
        if (!FlowValidator.IsValidId(FlowId))
        {
            errors.Add(new("flowId", $"'{FlowId}' is not a valid flow id: expected 1-64 characters: letters, digits, '-' or '_'."));
        }

        errors.AddRange(await ValidateAsync(draft));
        if (errors.Count > 0)
        {
            throw new FlowValidationException(errors);
        }

        await UpdateStateAsync(s => s.Draft = draft);
        await GrainFactory.GetGrain<IFlowCatalogGrain>(CatalogKeys.Cluster).AddAsync(FlowId);
    }

    public Task<FlowDefinition?> GetDraftAsync() => Task.FromResult(state.State.Draft);

    public async Task<PublishedFlow> PublishAsync()
    {
        var draft = state.State.Draft
            ?? throw new FlowStateException($"Flow '{FlowId}' has no draft to publish. Save a draft first.", _lifecycle);

        // Components may have changed since the draft was saved.
        var errors = await ValidateAsync(draft);
        if (errors.Count > 0)
        {
            throw new FlowValidationException(errors);
        }

        var published = new PublishedFlow(state.State.Published.Count + 1, draft, time.GetUtcNow());
        await UpdateStateAsync(s => s.Published.Add(published));
        LogPublished(logger, FlowId, published.Revision);
        return published;
    }

    public Task<PublishedFlow?> GetPublishedAsync() => Task.FromResult(state.State.Published.LastOrDefault());

    public async Task StartAsync()
    {
        switch (_lifecycle)
        {
            case FlowLifecycle.Running or FlowLifecycle.WarmingUp:
                return;
            case FlowLifecycle.Stopping:
                throw new FlowStateException($"Flow '{FlowId}' is stopping. Start it again once it has stopped.", _lifecycle);
        }

        var published = state.State.Published.LastOrDefault()
            ?? throw new FlowStateException($"Flow '{FlowId}' has nothing published. Publish a draft, then start the flow.", _lifecycle);
        var run = await ResolveRunAsync(published);
        await UpdateStateAsync(s =>
        {
            s.Lifecycle = FlowLifecycle.Running;
            s.Run = run;
        });
        BeginRun(run);
        LogStarting(logger, FlowId, published.Revision, run.Mode);
        await FlowTriggers.StartAsync(GrainFactory, FlowId, TriggersOf(run), logger);
        if (run.Mode == FlowMode.Realtime)
        {
            // A step that cannot start at all now fails the run: the definition or a component is at fault. Once the run
            // has been warm, a step that fails is re-established by the reminder instead.
            _lifecycle = FlowLifecycle.WarmingUp;
            _warmUpStarted = time.GetTimestamp();
            _failOnStepFailure = true;
            RecheckUntilReady();
            await ReconcileAsync();
        }
    }

    public async Task StopAsync()
    {
        if (_lifecycle is FlowLifecycle.Stopped or FlowLifecycle.Stopping)
        {
            return;
        }

        var steps = _steps.Keys.ToArray();
        _lifecycle = FlowLifecycle.Stopping;
        try
        {
            // Triggers first, so that nothing new comes in while the steps stop.
            await FlowTriggers.StopAsync(GrainFactory, FlowId, logger);
            await UnregisterReminderAsync();
            await StopStepsAsync(steps);
        }
        finally
        {
            await UpdateStateAsync(s =>
            {
                s.Lifecycle = FlowLifecycle.Stopped;
                s.Run = null;
            });
            EndRun(FlowLifecycle.Stopped, error: null);
            LogStopped(logger, FlowId);
        }
    }

    public async Task SetModeAsync(FlowMode mode)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Expected 'Ordinary' or 'Realtime'.");
        }

        if (_lifecycle is not (FlowLifecycle.Stopped or FlowLifecycle.Failed))
        {
            throw new FlowStateException(
                $"Flow '{FlowId}' is {_lifecycle}: its mode can only be switched while it is stopped. Stop the flow first, then switch the mode.",
                _lifecycle);
        }

        await UpdateStateAsync(s => s.Mode = mode);
    }

    public Task<FlowStatus> GetStatusAsync() => Task.FromResult(new FlowStatus(
        FlowId,
        _lifecycle,
        state.State.Mode,
        state.State.Published.Count,
        state.State.Run?.Flow.Revision ?? 0,
        state.State.Draft is { } draft && (state.State.Published.Count == 0 || draft != state.State.Published[^1].Definition),
        _steps.Values.ToArray(),
        _error));

    public async Task<string> SendAsync(FlowMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        MessageBody.ThrowIfNotJson(message.Body);
        if (_lifecycle is not (FlowLifecycle.Running or FlowLifecycle.WarmingUp))
        {
            throw new FlowStateException(
                $"Flow '{FlowId}' is {_lifecycle} and accepts no messages. Start the flow first.", _lifecycle);
        }

        var accounting = GrainFactory.GetGrain<IExecutionLogGrain>(FlowId);
        if (await accounting.TryAcceptAsync(message.ExecutionId, options.Value.MaxInFlight) is { } retryAfter)
        {
            var warmingUp = _lifecycle == FlowLifecycle.WarmingUp;
            throw new FlowBusyException(
                $"Flow '{FlowId}' has {options.Value.MaxInFlight} executions in flight, its backlog ({FlowOptions.Section}:{nameof(FlowOptions.MaxInFlight)})" +
                (warmingUp ? ", and is still warming up" : "") + $"; the message was not accepted. Send it again in {retryAfter.TotalSeconds:0} s.",
                retryAfter,
                warmingUp);
        }

        // The execution's trace starts here, under the request that sent the message; its hops join it through the message.
        using var send = FlowActivities.StartSend(FlowId, message.ExecutionId, message.Id, message.TraceParent);
        message = send is null ? message : message with { TraceParent = send.Id };
        FlowMetrics.FlowMessageReceived(FlowId);
        try
        {
            foreach (var stream in _entryStreams)
            {
                await stream.OnNextAsync(message);
            }
        }
        catch when (_entryStreams.Length == 1)
        {
            // Nothing went out, so nothing was accepted. (With several entry steps some may have it: it stays in flight.)
            await accounting.ReleaseAsync(message.ExecutionId);
            throw;
        }

        return message.ExecutionId;
    }

    public Task<StepPlan?> GetStepPlanAsync(string stepId)
    {
        if (state.State.Run is not { } run || _graph is null || _lifecycle is not (FlowLifecycle.Running or FlowLifecycle.WarmingUp))
        {
            return Task.FromResult<StepPlan?>(null);
        }

        return Task.FromResult(PlanFor(run, stepId));
    }

    private async Task<FlowRun> ResolveRunAsync(PublishedFlow published)
    {
        var latest = await DeployedComponents.LatestAsync(GrainFactory, published.Definition);
        IReadOnlyList<ValidationError> errors =
        [
            .. FlowValidator.Validate(published.Definition, DeployedComponents.Descriptors(latest), limits.Value.MaxMessagesPerExecution, expressions.Check),
            .. await CredentialReferences.ValidateAsync(GrainFactory, published.Definition),
        ];
        if (errors.Count > 0)
        {
            throw new FlowValidationException(errors);
        }

        var components = published.Definition.Steps.ToDictionary(s => s.Id, s => latest[s.ComponentId]!, StringComparer.Ordinal);
        return new FlowRun(Guid.NewGuid().ToString("N"), published, state.State.Mode, components, time.GetUtcNow());
    }

    private async Task<IReadOnlyList<ValidationError>> ValidateAsync(FlowDefinition? definition) =>
        [
            .. FlowValidator.Validate(
                definition, DeployedComponents.Descriptors(await DeployedComponents.LatestAsync(GrainFactory, definition)), limits.Value.MaxMessagesPerExecution, expressions.Check),
            .. await CredentialReferences.ValidateAsync(GrainFactory, definition),
        ];

    private void BeginRun(FlowRun run)
    {
        _graph = FlowGraph.Create(run.Flow.Definition);
        _error = null;
        _failOnStepFailure = false;
        _steps.Clear();
        foreach (var step in run.Flow.Definition.Steps)
        {
            _steps[step.Id] = new StepStatus(step.Id, step.ComponentId, run.Components[step.Id].Revision, StepPhase.Idle);
        }

        var streams = Steps.StepStreams.HopProvider(ServiceProvider, run.Mode);
        _entryStreams = _graph.EntrySteps.Select(id => streams.GetStream<FlowMessage>(FlowStreams.StepInputOf(FlowId, id))).ToArray();
        _lifecycle = FlowLifecycle.Running;
    }

    private void EndRun(FlowLifecycle lifecycle, string? error)
    {
        _lifecycle = lifecycle;
        _error = error;
        _graph = null;
        _entryStreams = [];
        foreach (var (id, step) in _steps.ToArray())
        {
            _steps[id] = step with { Phase = StepPhase.Idle, ContainerId = null };
        }
    }

    private StepPlan? PlanFor(FlowRun run, string stepId)
    {
        var step = run.Flow.Definition.Steps.FirstOrDefault(s => s.Id == stepId);
        if (step is null || _graph is null)
        {
            return null;
        }

        var pinned = run.Mode == FlowMode.Realtime ? run.Components[stepId] : null;
        var next = _graph.NextSteps(stepId);
        var cap = limits.Value.MaxMessagesPerExecution + 1L;
        var calls = next.Select(id => (int)FlowValidator.StepCallsPerMessage(_graph, id, cap)).ToArray();
        var flowDelivery = run.Flow.Definition.Delivery;
        var edges = run.Flow.Definition.Edges.Where(e => e.From == stepId).ToArray(); // in the graph's order of next steps
        return new StepPlan(
            FlowId, run.RunId, run.Mode, step, next, pinned, calls, step.Delivery?.Over(flowDelivery) ?? flowDelivery, edges.Any(e => e.IsRouted) ? edges : null);
    }

    private TriggerRun TriggersOf(FlowRun run) => new(run.RunId, _graph!.EntrySteps[0], run.Mode, run.StartedAt);

    private IStepGrain Step(string stepId) => GrainFactory.GetGrain<IStepGrain>(FlowStreams.StepKey(FlowId, stepId));

    /// <summary>Applies a change and stores it; if storing fails, the change is undone so memory never runs ahead of storage.</summary>
    private async Task UpdateStateAsync(Action<FlowState> change)
    {
        var before = Copy(state.State);
        change(state.State);
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            state.State = before;
            StateConflicts.EndActivationIfConflict(GrainContext, e, logger); // from a timer, Orleans would not end it
            throw;
        }
    }

    private static FlowState Copy(FlowState s) => new()
    {
        Draft = s.Draft,
        Published = [.. s.Published],
        Mode = s.Mode,
        Lifecycle = s.Lifecycle,
        Run = s.Run,
    };

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Flow {FlowId} published revision {Revision}")]
    private static partial void LogPublished(ILogger logger, string flowId, int revision);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Flow {FlowId} starting revision {Revision} in {Mode} mode")]
    private static partial void LogStarting(ILogger logger, string flowId, int revision, FlowMode mode);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Flow {FlowId} stopped")]
    private static partial void LogStopped(ILogger logger, string flowId);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Flow {FlowId} activated while its run {RunId} goes on: asking its steps where they are")]
    private static partial void LogReconciling(ILogger logger, string flowId, string runId);
}
