using FlowActors.Client;
using FlowActors.Grains.Interfaces.Steps;

namespace FlowActors.Grains.Interfaces.Flows;

/// <summary>
/// One integration flow: its draft, its published revisions, its mode and its lifecycle, and the entry
/// point for its messages. Key: the flow id (letters, digits, '-' and '_').
/// </summary>
[Alias("FlowActors.IFlowGrain")]
public interface IFlowGrain : IGrainWithStringKey
{
    /// <summary>Validates and stores a draft. An invalid draft throws <see cref="FlowValidationException"/> and changes nothing.</summary>
    Task SaveDraftAsync(FlowDefinition draft);

    /// <summary>The draft, or null when there is none.</summary>
    [ReadOnly]
    Task<FlowDefinition?> GetDraftAsync();

    /// <summary>
    /// Publishes the draft as a new immutable revision, after validating it against the deployed components.
    /// A running flow keeps running the revision it started with until it is stopped and started again.
    /// </summary>
    Task<PublishedFlow> PublishAsync();

    /// <summary>The newest published revision, or null when nothing is published.</summary>
    [ReadOnly]
    Task<PublishedFlow?> GetPublishedAsync();

    /// <summary>
    /// Starts the newest published revision. Ordinary flows run at once; real-time flows go through
    /// <see cref="FlowLifecycle.WarmingUp"/> until every step's component answers its health probe.
    /// </summary>
    Task StartAsync();

    /// <summary>Stops the flow; real-time steps release their containers.</summary>
    Task StopAsync();

    /// <summary>Switches between ordinary and real-time. Only while the flow is stopped; otherwise <see cref="FlowStateException"/>.</summary>
    Task SetModeAsync(FlowMode mode);

    /// <summary>Lifecycle, mode, revisions and per-step state.</summary>
    [AlwaysInterleave]
    Task<FlowStatus> GetStatusAsync();

    /// <summary>
    /// Hands a message to the flow's entry steps and returns its execution id. Messages sent while a
    /// real-time flow warms up are delivered once it is warm. A stopped flow throws <see cref="FlowStateException"/>;
    /// a flow whose backlog is full (FlowActors:Flows:MaxInFlight executions in flight) throws <see cref="FlowBusyException"/>.
    /// </summary>
    [AlwaysInterleave]
    Task<string> SendAsync(FlowMessage message);

    /// <summary>What one step of the running flow needs to know. Called by step grains.</summary>
    [AlwaysInterleave]
    Task<StepPlan?> GetStepPlanAsync(string stepId);

    /// <summary>
    /// Wakes the flow after the cluster lost a silo (or restarted): activates it, and a running real-time flow asks every
    /// step where it is in the run (its reconciliation), so that a step whose activation died takes its run up now rather
    /// than at the reconciliation reminder. Answers the status after asking; a step that could not be reached shows as
    /// <see cref="StepPhase.Failed"/> with the reason, and the caller asks again. Idempotent. Does not interleave.
    /// </summary>
    Task<FlowStatus> WakeAsync();

    /// <summary>
    /// A step reports a change in <paramref name="runId"/>: warmed up, failed, container replaced or released. Called by
    /// step grains; one-way so that a step never waits on its flow. A report of another run than the current one is
    /// ignored. Does not interleave: every change of the flow's state happens one turn at a time.
    /// </summary>
    [OneWay]
    Task ReportStepAsync(string runId, StepStatus status);
}
