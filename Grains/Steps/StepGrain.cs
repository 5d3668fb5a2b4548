using System.Diagnostics;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Grains.Containers;
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
/// the activation; an idle activation deactivates and stops it. Real-time: the flow's start acquires the
/// container lease and warms it up; messages that arrive meanwhile wait in the stream, in order.
/// </summary>
[ImplicitStreamSubscription(FlowStreams.StepInput)]
public sealed partial class StepGrain(
    IContainerRuntime runtime,
    ComponentClient components,
    IOptions<StepOptions> options,
    TimeProvider time,
    ILogger<StepGrain> logger) : Grain, IStepGrain
{
    private const string ReboundHeader = "flowactors-rebounds";

    private readonly StepOptions _options = options.Value;
    private StepContainer? _container;
    private StepPlan? _plan;
    private TaskCompletionSource? _ready;
    private StepPhase _phase;
    private string? _error;
    private IGrainTimer? _timer;
    private long _lastMessage;
    private bool _suspect;
    private bool _reportToFlow = true;
    private string? _snapshot;
    private IAsyncStream<FlowMessage>[] _next = [];
    private IAsyncStream<FlowMessage>? _self;
    private IAsyncStream<FlowEvent>? _events;

    private string FlowId => this.GetPrimaryKeyString().Split('/')[0];

    private string StepId => this.GetPrimaryKeyString().Split('/')[1];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var streams = this.GetStreamProvider(FlowStreams.Provider);
        _events = streams.GetStream<FlowEvent>(FlowStreams.EventsOf(FlowId));
        _self = streams.GetStream<FlowMessage>(FlowStreams.StepInputOf(FlowId, StepId));
        await _self.SubscribeAsync(OnMessageAsync);
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
        if (_plan?.RunId == plan.RunId && _container?.Lease is not null)
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
        if (_container is not { Lease: { } lease } container || lease.ContainerId != containerId)
        {
            return; // already replaced or released
        }

        LogContainerDied(logger, FlowId, StepId, containerId);
        if (_plan?.Mode == FlowMode.Realtime && _ready is null or { Task.IsCompletedSuccessfully: true })
        {
            await ReplaceContainerAsync(container);
        }
        else
        {
            _suspect = true; // the next message checks, and replaces what does not answer
        }
    }

    public Task<StepStatus> GetStatusAsync() => Task.FromResult(Status());

    private async Task OnMessageAsync(FlowMessage message, StreamSequenceToken? token)
    {
        _lastMessage = time.GetTimestamp();
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (await EnsureReadyAsync() is not { } plan)
            {
                await PublishEventAsync(FlowEventKind.Error, message, null,
                    $"Step '{StepId}' received a message while flow '{FlowId}' is not running; the message was not processed. Start the flow and send it again.",
                    started);
                return;
            }

            var emits = await InvokeAsync(plan, message);
            await RouteAsync(plan, message, emits, started);
        }
        catch (Exception e)
        {
            LogMessageFailed(logger, FlowId, StepId, message.ExecutionId, e.Message);
            await PublishEventAsync(FlowEventKind.Error, message, null, Describe(e), started);
        }
        finally
        {
            _lastMessage = time.GetTimestamp();
        }
    }

    /// <summary>The plan of the running flow, with a container that answers; null when the flow is not running.</summary>
    private async Task<StepPlan?> EnsureReadyAsync()
    {
        if (_ready is { } ready)
        {
            await ready.Task; // real-time warm-up: messages wait here, in order
        }

        if (_plan is null)
        {
            if (await GrainFactory.GetGrain<IFlowGrain>(FlowId).GetStepPlanAsync(StepId) is not { } plan)
            {
                return null;
            }

            UsePlan(plan);
        }

        if (_container?.Lease is null)
        {
            // Ordinary steps take the newest revision at each container start; a real-time step whose
            // activation was lost keeps the revision its flow pinned at start.
            var revision = _plan!.PinnedRevision ?? await LatestRevisionAsync(_plan.Step.ComponentId);
            await StartContainerAsync(_plan, revision);
            await _container!.WaitReadyAsync(CancellationToken.None);
            SetPhase(StepPhase.Ready);
        }

        return _plan;
    }

    private async Task<IReadOnlyList<Emit>> InvokeAsync(StepPlan plan, FlowMessage message)
    {
        var container = _container!;
        if (_suspect && !await container.IsHealthyAsync(CancellationToken.None))
        {
            await ReplaceContainerAsync(container);
        }

        try
        {
            var result = await CallComponentAsync(plan, container, message);
            _suspect = false;
            return result;
        }
        catch (ComponentInvocationException e) when (e.Failure == ComponentFailure.Unreachable)
        {
            _suspect = true;
            if (await container.IsHealthyAsync(CancellationToken.None))
            {
                throw;
            }

            // The container died under the message: replace it and try the message once more.
            await ReplaceContainerAsync(container);
            var result = await CallComponentAsync(plan, container, message);
            _suspect = false;
            return result;
        }
    }

    private Task<IReadOnlyList<Emit>> CallComponentAsync(StepPlan plan, StepContainer container, FlowMessage message) =>
        components.InvokeAsync(
            container.Lease!.Endpoint, plan.Step.Action, message, plan.Step.Configuration, _snapshot, _options.InvokeTimeout, CancellationToken.None);

    private async Task ReplaceContainerAsync(StepContainer container)
    {
        LogReplacingContainer(logger, FlowId, StepId, container.Lease?.ContainerId);
        await container.ReplaceAsync(CancellationToken.None);
        _suspect = false;
        ReportToFlow();
    }

    private async Task RouteAsync(StepPlan plan, FlowMessage message, IReadOnlyList<Emit> emits, long started)
    {
        var hop = new StepTiming(StepId, Stopwatch.GetElapsedTime(started));
        foreach (var emit in emits)
        {
            switch (emit.Kind)
            {
                case EmitKinds.Data:
                    var output = message.Next(emit.Body?.GetRawText() ?? "null", emit.Headers ?? message.Headers, hop);
                    if (_next.Length == 0)
                    {
                        await PublishEventAsync(FlowEventKind.Output, output, output, null, started);
                    }

                    foreach (var stream in _next)
                    {
                        await stream.OnNextAsync(output);
                    }

                    break;
                case EmitKinds.Error:
                    await PublishEventAsync(FlowEventKind.Error, message, null,
                        $"Step '{StepId}' (component '{plan.Step.ComponentId}') reported an error: {emit.Error}", started);
                    break;
                case EmitKinds.HttpReply:
                    var headers = new Dictionary<string, string>(emit.Headers ?? new Dictionary<string, string>())
                    {
                        [HttpReplyHeaders.Status] = (emit.Status ?? 200).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    };
                    var reply = message.Next(emit.Body?.GetRawText() ?? "null", headers, hop);
                    await PublishEventAsync(FlowEventKind.HttpReply, reply, reply, null, started);
                    break;
                case EmitKinds.Snapshot:
                    _snapshot = emit.Body?.GetRawText();
                    break;
                case EmitKinds.Rebound:
                    await ReboundAsync(message, started);
                    break;
                default:
                    await PublishEventAsync(FlowEventKind.Error, message, null,
                        $"Step '{StepId}' (component '{plan.Step.ComponentId}') emitted unknown kind '{emit.Kind}'; expected data, error, snapshot, httpReply or rebound.",
                        started);
                    break;
            }
        }
    }

    /// <summary>The component asked for the message again later: it goes to the back of this step's input.</summary>
    private async Task ReboundAsync(FlowMessage message, long started)
    {
        var rebounds = message.Headers.TryGetValue(ReboundHeader, out var value) && int.TryParse(value, out var n) ? n : 0;
        if (rebounds >= _options.MaxRebounds)
        {
            await PublishEventAsync(FlowEventKind.Error, message, null,
                $"Step '{StepId}' rebounded the message {rebounds} times; giving up.", started);
            return;
        }

        var headers = new Dictionary<string, string>(message.Headers) { [ReboundHeader] = (rebounds + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await _self!.OnNextAsync(message with { Headers = headers });
    }

    private Task PublishEventAsync(FlowEventKind kind, FlowMessage cause, FlowMessage? output, string? error, long started)
    {
        // An output already carries this step in its path; for an error, the path ends with the failing step.
        var elapsed = Stopwatch.GetElapsedTime(started);
        var path = output?.Path ?? cause.PathWith(new StepTiming(StepId, elapsed));
        return _events!.OnNextAsync(new FlowEvent(kind, FlowId, StepId, cause.ExecutionId, output, error, elapsed, path));
    }

    private async Task WarmUpAsync(TaskCompletionSource ready)
    {
        try
        {
            await _container!.WaitReadyAsync(CancellationToken.None);
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
        _container ??= new StepContainer(runtime, _options, time);
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

        if (_container is { } container)
        {
            await container.RenewIfDueAsync(cancellationToken);
        }
    }

    private async Task ReleaseAsync()
    {
        _timer?.Dispose();
        _timer = null;
        _ready?.TrySetException(new StepException($"Step '{StepId}' was stopped before it was warm."));
        _ready = null;
        if (_container?.Lease is { } lease)
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

    private void UsePlan(StepPlan plan)
    {
        _plan = plan;
        var streams = this.GetStreamProvider(FlowStreams.Provider);
        _next = plan.NextSteps.Select(id => streams.GetStream<FlowMessage>(FlowStreams.StepInputOf(FlowId, id))).ToArray();
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
        StepId, _plan?.Step.ComponentId ?? "", _container?.Revision?.Revision ?? 0, _phase, _container?.Lease?.ContainerId, _error);

    /// <summary>An error message that names the step (and its component), for the flow's event stream and status.</summary>
    private string Describe(Exception e)
    {
        if (e is StepException)
        {
            return e.Message;
        }

        var revision = _container?.Revision is { } r ? $" revision {r.Revision}" : "";
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} failed execution {ExecutionId}: {Reason}")]
    private static partial void LogMessageFailed(ILogger logger, string flowId, string stepId, string executionId, string reason);
}
