namespace FlowActors.Client;

/// <summary>
/// Ends a <see cref="IFlowActorsClient.FollowAsync"/> enumeration whose reader fell too far behind: the events buffered
/// before were all delivered, later ones were not. Read faster (hand events off instead of processing them inline),
/// raise <c>FlowActors:Client:FollowBufferCapacity</c>, or follow again and look up what was missed in the executions.
/// </summary>
public sealed class FollowOverflowException(string flowId, int capacity)
    : Exception($"Following flow '{flowId}' fell more than {capacity} events behind, so later events were dropped. "
        + "Read faster, raise FlowActors:Client:FollowBufferCapacity, or follow again (GetRecentExecutionsAsync shows what ran meanwhile).")
{
    /// <summary>The flow that was followed.</summary>
    public string FlowId { get; } = flowId;

    /// <summary>How many events were buffered for the reader.</summary>
    public int Capacity { get; } = capacity;
}
