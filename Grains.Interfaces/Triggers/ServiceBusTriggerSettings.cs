namespace FlowActors.Client;

/// <summary>
/// How a flow receives from Azure Service Bus: which namespace (by connection string, or by its fully qualified name
/// with <c>DefaultAzureCredential</c>), which entity (a queue, or a topic's subscription), and how (sessions,
/// concurrency, prefetch). <see cref="ConnectionString"/> is a secret: it is stored, never shown again, and never logged.
/// </summary>
/// <param name="ConnectionString">
/// A Service Bus connection string (<c>Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...</c>). Null when
/// <see cref="FullyQualifiedNamespace"/> is used, or, when updating, to keep the one already stored.
/// </param>
/// <param name="FullyQualifiedNamespace">E.g. <c>contoso.servicebus.windows.net</c>: the silo signs in with <c>DefaultAzureCredential</c>.</param>
/// <param name="Queue">The queue to receive from; or <see cref="Topic"/> and <see cref="Subscription"/>.</param>
/// <param name="Sessions">The entity requires sessions: messages of one session are handed to the flow one at a time, in order.</param>
/// <param name="Concurrency">Messages handed to the flow at once (with sessions: sessions received at once). 1 to 64.</param>
/// <param name="Prefetch">Messages the receiver fetches ahead (0 to 1,000). Each is locked while it waits; see docs/triggers.md.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.ServiceBusTriggerSettings")]
public sealed record ServiceBusTriggerSettings(
    [property: Id(0)] string? ConnectionString = null,
    [property: Id(1)] string? FullyQualifiedNamespace = null,
    [property: Id(2)] string? Queue = null,
    [property: Id(3)] string? Topic = null,
    [property: Id(4)] string? Subscription = null,
    [property: Id(5)] bool Sessions = false,
    [property: Id(6)] int Concurrency = 1,
    [property: Id(7)] int Prefetch = 0)
{
    /// <summary>The entity as Service Bus names it: the queue, or <c>topic/Subscriptions/subscription</c>.</summary>
    public string EntityPath => Queue ?? $"{Topic}/Subscriptions/{Subscription}";

    // Never print the secret, whoever formats these settings (a log line, an exception message, a debugger).
    public override string ToString() =>
        $"ServiceBusTriggerSettings {{ Namespace = {FullyQualifiedNamespace ?? (ConnectionString is null ? "(none)" : "(connection string)")}, " +
        $"Entity = {EntityPath}, Sessions = {Sessions}, Concurrency = {Concurrency}, Prefetch = {Prefetch} }}";
}
