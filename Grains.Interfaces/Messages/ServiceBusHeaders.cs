namespace FlowActors.Grains.Interfaces.Messages;

/// <summary>
/// Headers of a message that a Service Bus trigger received: the Service Bus message's system and application
/// properties, for the flow's steps. The Service Bus send component reads the same headers, so a flow that forwards a
/// message keeps its id, session, subject and properties unless configured otherwise.
/// </summary>
public static class ServiceBusHeaders
{
    public const string MessageId = "servicebus.message-id";
    public const string CorrelationId = "servicebus.correlation-id";
    public const string SessionId = "servicebus.session-id";
    public const string Subject = "servicebus.subject";
    public const string ContentType = "servicebus.content-type";
    public const string DeliveryCount = "servicebus.delivery-count";
    public const string SequenceNumber = "servicebus.sequence-number";
    public const string EnqueuedTime = "servicebus.enqueued-time";

    /// <summary>The entity the message came from (queue, or <c>topic/Subscriptions/subscription</c>).</summary>
    public const string Entity = "servicebus.entity";

    /// <summary>Prefix of the application properties, followed by the property's name (values as invariant text).</summary>
    public const string PropertyPrefix = "servicebus.property.";
}
