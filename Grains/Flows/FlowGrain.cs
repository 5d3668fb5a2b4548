using FlowActors.Grains.Interfaces.Catalog;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace FlowActors.Grains.Flows;

/// <summary>
/// Owns a flow's definitions, mode and lifecycle. It coordinates; the steps do the work: a real-time start
/// asks every step to warm up and waits for their reports, and a message goes onto the entry step's stream.
/// </summary>
public sealed partial class FlowGrain(
    [PersistentState("flow", StorageNames.Grains)] IPersistentState<FlowState> state,
    TimeProvider time,
    IOptions<FlowLimitsOptions> limits,
    ILogger<FlowGrain> logger) : Grain, IFlowGrain
{
    private readonly Dictionary<string, StepStatus> _steps = new(StringComparer.Ordinal);
    private FlowLifecycle _lifecycle;
    private string? _error;
    private FlowGraph? _graph;
    private IAsyncStream<FlowMessage>[] _entryStreams = [];
    private long _warmUpStarted;

    private string FlowId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _lifecycle = state.State.Lifecycle;
        if (state.State.Run is { } run && _lifecycle == FlowLifecycle.Running)
        {
            // The flow was running when its activation was lost (a silo went away): pick the run up again.
            BeginRun(run);
            if (run.Mode == FlowMode.Realtime)
            {
                await WarmUpAsync(run);
            }
        }
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
        if (run.Mode == FlowMode.Realtime)
        {
            await WarmUpAsync(run);
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

        foreach (var stream in _entryStreams)
        {
            await stream.OnNextAsync(message);
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

    public async Task ReportStepAsync(StepStatus status)
    {
        if (!_steps.ContainsKey(status.StepId) || _lifecycle is not (FlowLifecycle.WarmingUp or FlowLifecycle.Running))
        {
            return; // a report from a run that has ended
        }

        _steps[status.StepId] = status;
        if (_lifecycle != FlowLifecycle.WarmingUp)
        {
            return;
        }

        if (status.Phase == StepPhase.Failed)
        {
            await FailAsync($"Step '{status.StepId}' failed to warm up: {status.Error}");
        }
        else if (_steps.Values.All(s => s.Phase == StepPhase.Ready))
        {
            _lifecycle = FlowLifecycle.Running;
            LogWarm(logger, FlowId, time.GetElapsedTime(_warmUpStarted).TotalMilliseconds);
        }
    }

    private async Task WarmUpAsync(FlowRun run)
    {
        _lifecycle = FlowLifecycle.WarmingUp;
        _warmUpStarted = time.GetTimestamp();
        try
        {
            // Steps report readiness through ReportStepAsync; these calls only start the containers.
            await Task.WhenAll(_steps.Keys.Select(stepId => Step(stepId).StartRealtimeAsync(PlanFor(run, stepId)!)));
        }
        catch (Exception e)
        {
            await FailAsync($"The flow could not start its steps: {e.Message}");
        }
    }

    private async Task FailAsync(string error)
    {
        LogFailed(logger, FlowId, error);
        var steps = _steps.Keys.ToArray();
        _lifecycle = FlowLifecycle.Stopping;
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
                // A step that cannot be reached holds nothing we can release from here; the reaper collects its container.
                LogStepStopFailed(logger, FlowId, stepId, e);
            }
        });
        await Task.WhenAll(stops);
    }

    private async Task<FlowRun> ResolveRunAsync(PublishedFlow published)
    {
        var latest = await DeployedComponents.LatestAsync(GrainFactory, published.Definition);
        var errors = FlowValidator.Validate(published.Definition, DeployedComponents.Descriptors(latest), limits.Value.MaxMessagesPerExecution);
        if (errors.Count > 0)
        {
            throw new FlowValidationException(errors);
        }

        var components = published.Definition.Steps.ToDictionary(s => s.Id, s => latest[s.ComponentId]!, StringComparer.Ordinal);
        return new FlowRun(Guid.NewGuid().ToString("N"), published, state.State.Mode, components, time.GetUtcNow());
    }

    private async Task<IReadOnlyList<ValidationError>> ValidateAsync(FlowDefinition? definition) =>
        FlowValidator.Validate(
            definition, DeployedComponents.Descriptors(await DeployedComponents.LatestAsync(GrainFactory, definition)), limits.Value.MaxMessagesPerExecution);

    private void BeginRun(FlowRun run)
    {
        _graph = FlowGraph.Create(run.Flow.Definition);
        _error = null;
        _steps.Clear();
        foreach (var step in run.Flow.Definition.Steps)
        {
            _steps[step.Id] = new StepStatus(step.Id, step.ComponentId, run.Components[step.Id].Revision, StepPhase.Idle);
        }

        var streams = this.GetStreamProvider(FlowStreams.Provider);
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
        return new StepPlan(FlowId, run.RunId, run.Mode, step, _graph.NextSteps(stepId), pinned);
    }

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
        catch
        {
            state.State = before;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId} published revision {Revision}")]
    private static partial void LogPublished(ILogger logger, string flowId, int revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId} starting revision {Revision} in {Mode} mode")]
    private static partial void LogStarting(ILogger logger, string flowId, int revision, FlowMode mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId} is warm after {WarmUpMs:F0} ms")]
    private static partial void LogWarm(ILogger logger, string flowId, double warmUpMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId} stopped")]
    private static partial void LogStopped(ILogger logger, string flowId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow {FlowId} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string flowId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow {FlowId} could not stop step {StepId}")]
    private static partial void LogStepStopFailed(ILogger logger, string flowId, string stepId, Exception exception);
}
