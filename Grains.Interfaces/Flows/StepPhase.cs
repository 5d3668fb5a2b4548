namespace FlowActors.Client;

/// <summary>What a step is doing right now.</summary>
[GenerateSerializer, Alias("FlowActors.StepPhase")]
public enum StepPhase
{
    /// <summary>No container (a stopped flow, or an ordinary step waiting for data).</summary>
    Idle = 0,

    /// <summary>A real-time step whose container has started but has not answered its health probe yet.</summary>
    WarmingUp = 1,

    /// <summary>The container answers and messages go through.</summary>
    Ready = 2,

    /// <summary>The container could not be started or did not become healthy in time.</summary>
    Failed = 3,
}
