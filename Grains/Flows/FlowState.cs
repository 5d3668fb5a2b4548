using FlowActors.Client;

namespace FlowActors.Grains.Flows;

/// <summary>Persistent state of a <see cref="FlowGrain"/>.</summary>
[GenerateSerializer, Alias("FlowActors.FlowState")]
public sealed class FlowState
{
    [Id(0)]
    public FlowDefinition? Draft { get; set; }

    /// <summary>Every published revision, oldest first; revision n is at index n - 1. Never edited.</summary>
    [Id(1)]
    public List<PublishedFlow> Published { get; set; } = [];

    [Id(2)]
    public FlowMode Mode { get; set; }

    /// <summary>Stopped, or the run the flow is in. Transient phases (WarmingUp, Stopping) are not stored.</summary>
    [Id(3)]
    public FlowLifecycle Lifecycle { get; set; }

    /// <summary>The run in progress, or null when stopped.</summary>
    [Id(4)]
    public FlowRun? Run { get; set; }
}

/// <summary>One start of a flow: which published revision runs, with which component revisions.</summary>
/// <param name="Components">Per step: the component revision resolved at start (pinned for real-time flows).</param>
[GenerateSerializer, Immutable, Alias("FlowActors.FlowRun")]
public sealed record FlowRun(
    [property: Id(0)] string RunId,
    [property: Id(1)] PublishedFlow Flow,
    [property: Id(2)] FlowMode Mode,
    [property: Id(3)] IReadOnlyDictionary<string, ComponentRevision> Components,
    [property: Id(4)] DateTimeOffset StartedAt);
