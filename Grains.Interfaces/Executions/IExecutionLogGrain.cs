namespace FlowActors.Grains.Interfaces.Executions;

/// <summary>
/// The recent executions of one flow, gathered from the flow's event stream (it subscribes implicitly,
/// so the first event of a flow activates it). Key: the flow id. Bounded and kept in memory: a
/// troubleshooting view, not an audit log.
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
}
