namespace FlowActors.Client;

/// <summary>
/// An operation does not fit the flow's lifecycle (switching mode while it runs, sending to a stopped flow,
/// starting a flow with nothing published). The message says what to do first.
/// </summary>
[GenerateSerializer, Alias("FlowActors.FlowStateException")]
public sealed class FlowStateException(string message, FlowLifecycle lifecycle) : Exception(message)
{
    /// <summary>The flow's lifecycle when the operation was refused.</summary>
    [Id(0)]
    public FlowLifecycle Lifecycle { get; } = lifecycle;
}
