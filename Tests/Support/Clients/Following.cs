using FlowActors.Client;
using FlowActors.Client.Events;

namespace FlowActors.TestSupport.Clients;

public static class Following
{
    /// <summary>
    /// Follows a flow and waits until the subscription is in place: for tests whose messages reach the flow through
    /// another client (a webhook, the HTTP API of a silo process), which the SDK's own send ordering cannot cover.
    /// </summary>
    public static async Task<IAsyncEnumerable<FlowEvent>> FollowSubscribedAsync(this IFlowActorsClient client, string flowId, CancellationToken cancellationToken)
    {
        var events = client.FollowAsync(flowId, cancellationToken);
        await ((FlowFollower)events).Subscribed.WaitAsync(cancellationToken);
        return events;
    }
}
