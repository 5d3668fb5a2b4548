using System.Globalization;
using System.Text;
using Azure.Messaging.ServiceBus;
using FlowActors.Client;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Messages;

namespace FlowActors.Grains.Triggers.ServiceBus;

/// <summary>Why a message is dead-lettered: a reason (a short code Service Bus shows) and a description that says what to fix.</summary>
internal readonly record struct DeadLetter(string Reason, string Description);

/// <summary>Turns received Service Bus messages into flow messages, and refusals into what to do with the message. Pure.</summary>
internal static class ServiceBusMessages
{
    public const string BodyNotJson = "BodyNotJson";
    public const string MessageRejected = "MessageRejected";
    public const string ValidationFailed = "ValidationFailed";
    public const string FlowNotFound = "FlowNotFound";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The flow message for <paramref name="message"/>: its body (an empty body is <c>{}</c>, as for webhooks), and its id,
    /// correlation id, session id, subject and application properties as headers. A body that is not UTF-8 JSON can never
    /// be accepted: then the dead-letter reason instead.
    /// </summary>
    public static (FlowMessage? Message, DeadLetter? Poison) ToFlowMessage(ServiceBusReceivedMessage message, string entity)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bytes = message.Body.ToMemory();
        string json;
        try
        {
            json = bytes.Length == 0 ? "{}" : StrictUtf8.GetString(bytes.Span);
            MessageBody.ThrowIfNotJson(json);
        }
        catch (Exception e) when (e is ArgumentException or DecoderFallbackException)
        {
            var detail = e is ArgumentException ? e.Message : "The message body is not UTF-8 text.";
            return (null, new DeadLetter(BodyNotJson,
                $"{detail} A FlowActors trigger hands JSON documents to its flow: send the body as UTF-8 JSON (content type application/json), then resubmit this message."));
        }

        return (FlowMessage.Create(json, Headers(message, entity)), null);
    }

    public static Dictionary<string, string> Headers(ServiceBusReceivedMessage message, string entity)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ServiceBusHeaders.Entity] = entity,
            [ServiceBusHeaders.DeliveryCount] = message.DeliveryCount.ToString(CultureInfo.InvariantCulture),
            [ServiceBusHeaders.SequenceNumber] = message.SequenceNumber.ToString(CultureInfo.InvariantCulture),
        };
        Add(ServiceBusHeaders.MessageId, message.MessageId);
        Add(ServiceBusHeaders.CorrelationId, message.CorrelationId);
        Add(ServiceBusHeaders.SessionId, message.SessionId);
        Add(ServiceBusHeaders.Subject, message.Subject);
        Add(ServiceBusHeaders.ContentType, message.ContentType);
        if (message.EnqueuedTime != default)
        {
            headers[ServiceBusHeaders.EnqueuedTime] = message.EnqueuedTime.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in message.ApplicationProperties)
        {
            Add(ServiceBusHeaders.PropertyPrefix + name, Text(value));
        }

        return headers;

        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                headers[name] = value;
            }
        }
    }

    /// <summary>
    /// What a refusal by the flow means for the message: dead-lettered when it can never succeed (the message or the flow
    /// is at fault and nothing will change by itself), otherwise null: abandoned, so Service Bus delivers it again (a flow
    /// warming up, a backlog that is full, a silo stopping, a call that timed out).
    /// </summary>
    public static DeadLetter? Permanent(Exception refusal, string flowId, bool flowExists) => refusal switch
    {
        _ when !flowExists => new DeadLetter(FlowNotFound,
            $"Flow '{flowId}' does not exist any more. Recreate it (or point this entity's sender elsewhere), then resubmit the message from the dead-letter queue."),
        FlowValidationException e => new DeadLetter(ValidationFailed,
            $"Flow '{flowId}' refused the message: {string.Join("; ", e.Errors)}. Fix the message or the flow, then resubmit it."),
        ArgumentException e => new DeadLetter(MessageRejected,
            $"Flow '{flowId}' refused the message: {e.Message} Fix the message, then resubmit it."),
        _ => null,
    };

    private static string Text(object? value) => value switch
    {
        null => "",
        DateTime d => d.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        byte[] b => Convert.ToBase64String(b),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
