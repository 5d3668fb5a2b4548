namespace FlowActors.Client;

/// <summary>
/// The flow's backlog is full: as many executions are in flight as it may hold. The message was not accepted; send it
/// again after <see cref="RetryAfter"/>. The HTTP API answers 429 (503 while the flow warms up) with <c>Retry-After</c>.
/// </summary>
[GenerateSerializer, Alias("FlowActors.FlowBusyException")]
public sealed class FlowBusyException(string message, TimeSpan retryAfter, bool warmingUp) : Exception(message)
{
    /// <summary>When a retry has a fair chance, judged from how fast the flow finishes executions.</summary>
    [Id(0)]
    public TimeSpan RetryAfter { get; } = retryAfter;

    /// <summary>True when the flow is still warming up (its steps not yet ready), rather than busy.</summary>
    [Id(1)]
    public bool WarmingUp { get; } = warmingUp;
}
