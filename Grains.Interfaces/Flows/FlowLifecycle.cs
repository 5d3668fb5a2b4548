namespace FlowActors.Client;

/// <summary>Where a flow is in its life: <c>Stopped → WarmingUp → Running → Stopping → Stopped</c>, or <c>Failed</c>.</summary>
[GenerateSerializer, Alias("FlowActors.FlowLifecycle")]
public enum FlowLifecycle
{
    Stopped = 0,
    WarmingUp = 1,
    Running = 2,
    Stopping = 3,
    Failed = 4,
}
