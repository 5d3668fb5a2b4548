using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Executions;

/// <summary>
/// The recent executions of one flow, gathered from the flow's event stream (it subscribes implicitly,
/// so the first event of a flow activates it), and the flow's exact counters (<see cref="FlowCounters"/>), which also
/// bound its backlog. Key: the flow id. The history is bounded and kept in memory: a troubleshooting view, not an
/// audit log; the counters and the executions in flight are stored.
/// </summary>
[Alias("FlowActors.IExecutionLogGrain")]
public interface IExecutionLogGrain : IGrainWithStringKey
{
    /// <summary>Up to <paramref name="limit"/> executions, the most recently updated first.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<ExecutionRecord>> GetRecentAsync(int limit);

    /// <summary>One execution, or null when it is unknown or no longer kept.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<ExecutionRecord?> GetAsync(string executionId);

    /// <summary>
    /// Counts <paramref name="executionId"/> as accepted and in flight, unless <paramref name="maxInFlight"/> executions
    /// already are: then it counts a rejection and returns when to try again. Called by the flow before it sends.
    /// </summary>
    Task<TimeSpan?> TryAcceptAsync(string executionId, int maxInFlight);

    /// <summary>The flow accepted the execution but could not send its message: it is no longer in flight nor accepted.</summary>
    Task ReleaseAsync(string executionId);

    /// <summary>A dead letter of the execution is replayed: it is in flight again until its next outcome.</summary>
    Task ReplayingAsync(string executionId);

    /// <summary>
    /// What a step saw that no flow event shows: executions whose message ended at the step without any emit, and
    /// redelivered messages it dropped as duplicates. Called by steps, one-way.
    /// </summary>
    [OneWay]
    Task ReportStepAsync(IReadOnlyList<string> endedExecutions, int duplicatesDropped);

    /// <summary>The flow's counters (without <see cref="FlowCounters.DeadLettered"/>, which the dead letters keep).</summary>
    [ReadOnly, AlwaysInterleave]
    Task<FlowCounters> GetCountersAsync();
}
