using FlowActors.Client.Events;

namespace FlowActors.Tests.Infrastructure;

/// <summary>A started flow and the subscription to its events (see <see cref="FlowCluster.StartRealtimeFlowAsync"/>).</summary>
internal sealed record RunningFlow(string FlowId, FlowEventSubscription Events) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Events.DisposeAsync();
}
