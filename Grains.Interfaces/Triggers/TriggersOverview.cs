namespace FlowActors.Client;

/// <summary>What starts a flow's executions besides the API: its webhook, its Service Bus trigger, its schedule.</summary>
/// <param name="Webhook">The flow has a webhook (<c>/hooks/{flowId}</c>).</param>
/// <param name="ServiceBus">The Service Bus trigger without its secret, or null.</param>
/// <param name="Schedule">The schedule and its counters, or null.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.TriggersOverview")]
public sealed record TriggersOverview(
    [property: Id(0)] bool Webhook,
    [property: Id(1)] ServiceBusTriggerInfo? ServiceBus,
    [property: Id(2)] ScheduleInfo? Schedule);
