using FlowActors.Client;

namespace FlowActors.Silo.Api;

/// <summary>What the admin console shows: every flow and every component, in one answer.</summary>
public sealed record Overview(IReadOnlyList<FlowSummary> Flows, IReadOnlyList<ComponentSummary> Components);

/// <summary>A flow as the console's flows page shows it.</summary>
/// <param name="Name">The name in the newest published revision, or in the draft when nothing is published.</param>
/// <param name="UnpublishedChanges">The draft differs from the newest published revision (or nothing is published yet).</param>
/// <param name="ReadySteps">Steps whose container answers: "2/3 steps ready" while warming up.</param>
/// <param name="NeedsRestart">A running real-time flow holds a component revision older than the newest: stop and start it to pick that up.</param>
/// <param name="Counters">Exact counts: accepted, completed, failed, dead-lettered, duplicates dropped, in flight.</param>
/// <param name="DeadLetters">Dead letters kept now, to inspect, replay or discard.</param>
public sealed record FlowSummary(
    string FlowId,
    string Name,
    FlowLifecycle Lifecycle,
    FlowMode Mode,
    int PublishedRevision,
    int RunningRevision,
    bool UnpublishedChanges,
    string? Error,
    int ReadySteps,
    IReadOnlyList<StepSummary> Steps,
    IReadOnlyList<ExecutionSummary> RecentExecutions,
    bool NeedsRestart,
    FlowCounters? Counters = null,
    int DeadLetters = 0);

/// <summary>One step of a flow, with what it runs and holds.</summary>
/// <param name="Revision">The component revision the running step uses; 0 while the flow is stopped.</param>
/// <param name="LatestRevision">The component's newest deployed revision.</param>
/// <param name="ContainerId">The container (real-time: leased for the whole run) the step holds now.</param>
/// <param name="LastActivityAt">The latest recent execution that went through the step (an ordinary step's last activation).</param>
public sealed record StepSummary(
    string StepId,
    string ComponentId,
    string? Action,
    int Revision,
    int LatestRevision,
    StepPhase Phase,
    string? ContainerId,
    string? Error,
    bool Stale,
    DateTimeOffset? LastActivityAt);

/// <summary>One recent execution with its per-step timings in milliseconds and its outputs (bodies up to the log's budget).</summary>
public sealed record ExecutionSummary(
    string ExecutionId,
    ExecutionStatus Status,
    IReadOnlyList<StepTimingSummary> Steps,
    string? FailedStep,
    string? Error,
    DateTimeOffset FirstEventAt,
    DateTimeOffset LastEventAt,
    IReadOnlyList<ExecutionOutput> Outputs);

public sealed record StepTimingSummary(string StepId, double ElapsedMs);

/// <summary>A flow's page: its summary, its graph (newest published revision, or the draft) and more executions.</summary>
public sealed record FlowDetail(FlowSummary Flow, FlowDefinition? Definition, FlowDefinition? Draft);

/// <summary>A deployed component, its newest revisions (newest first, at most <see cref="OverviewReader.RevisionsShown"/>) and the flows that use it.</summary>
/// <param name="RevisionCount">How many revisions it has in all; <c>GET /api/components/{id}/revisions</c> pages through them.</param>
public sealed record ComponentSummary(
    string ComponentId, int LatestRevision, int RevisionCount, IReadOnlyList<RevisionSummary> Revisions, IReadOnlyList<ComponentUse> UsedBy);

/// <summary>
/// A revision as the console shows it: image, command line and each environment value cut to 200 characters, at most
/// 20 variables, and the files it pinned (path and the digest's first 12 characters): what tells two revisions apart.
/// </summary>
public sealed record RevisionSummary(
    int Revision,
    string? Image,
    string? Command,
    IReadOnlyList<string> Actions,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> Files);

/// <summary>A step that uses a component; <paramref name="Revision"/> is 0 when the flow is not running.</summary>
public sealed record ComponentUse(string FlowId, string StepId, FlowLifecycle Lifecycle, FlowMode Mode, int Revision, bool Stale);
