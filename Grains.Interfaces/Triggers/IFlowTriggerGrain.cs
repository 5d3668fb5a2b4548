namespace FlowActors.Grains.Interfaces.Triggers;

/// <summary>
/// What every trigger of a flow hears from its flow (key: the flow id). Both calls are idempotent and return once the
/// decision is stored; the receiving or ticking itself goes on in the background.
/// </summary>
[Alias("FlowActors.IFlowTriggerGrain")]
public interface IFlowTriggerGrain : IGrainWithStringKey
{
    /// <summary>The flow runs <paramref name="run"/> (it started, or its activation resumed the run): trigger it.</summary>
    Task FlowStartedAsync(TriggerRun run);

    /// <summary>The flow stopped (or failed): stop triggering it.</summary>
    Task FlowStoppedAsync();
}
