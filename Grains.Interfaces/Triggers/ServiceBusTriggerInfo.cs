namespace FlowActors.Client;

/// <summary>
/// A flow's Service Bus trigger as operators see it: its settings without the secret, and what it has done since its
/// grain last activated.
/// </summary>
/// <param name="Authentication"><c>ConnectionString</c> or <c>DefaultAzureCredential</c>.</param>
/// <param name="Namespace">The namespace's host name (from the connection string's endpoint, or as configured).</param>
/// <param name="Receiving">A receiver is open: the flow runs and the trigger is connected (or connecting).</param>
/// <param name="Received">Messages received (counted since the trigger's grain activated, like the other counters).</param>
/// <param name="Completed">Messages the flow accepted, then completed.</param>
/// <param name="Abandoned">Messages given back to Service Bus for redelivery (a transient refusal, a stop).</param>
/// <param name="DeadLettered">Messages that can never succeed, moved to the dead-letter queue with a reason.</param>
/// <param name="LastError">The last problem receiving or handing over, or null.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.ServiceBusTriggerInfo")]
public sealed record ServiceBusTriggerInfo(
    [property: Id(0)] string FlowId,
    [property: Id(1)] string Authentication,
    [property: Id(2)] string Namespace,
    [property: Id(3)] string? Queue,
    [property: Id(4)] string? Topic,
    [property: Id(5)] string? Subscription,
    [property: Id(6)] bool Sessions,
    [property: Id(7)] int Concurrency,
    [property: Id(8)] int Prefetch,
    [property: Id(9)] bool Receiving,
    [property: Id(10)] long Received,
    [property: Id(11)] long Completed,
    [property: Id(12)] long Abandoned,
    [property: Id(13)] long DeadLettered,
    [property: Id(14)] string? LastError);
