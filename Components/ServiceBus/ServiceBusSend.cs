using Azure.Messaging.ServiceBus;
using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;

namespace FlowActors.ServiceBusComponent;

/// <summary>
/// Action <c>send</c>: sends each input message's body to a queue or topic, as a Service Bus message whose id,
/// session id, correlation id, subject, content type and application properties come from the configuration
/// (<see cref="SendSettings"/>) or, when it says nothing, from the message's <c>servicebus.*</c> headers (what a Service
/// Bus trigger put there), so that a flow that forwards a message keeps them. The message id defaults to the flow
/// message's id: a retried call sends the same id, which the entity's duplicate detection drops. A batch is sent in as
/// few Service Bus batches as fit; each input gets its own result: the input passed on (with the id it was sent
/// with) or an error that says what went wrong with that message.
/// </summary>
public static class ServiceBusSend
{
    public const string Action = "send";

    // The headers a Service Bus trigger gives a message (FlowActors.Grains.Interfaces.Messages.ServiceBusHeaders):
    // a component does not reference the platform's assemblies, so the names are repeated here, and a test compares them.
    public const string MessageIdHeader = "servicebus.message-id";
    public const string CorrelationIdHeader = "servicebus.correlation-id";
    public const string SessionIdHeader = "servicebus.session-id";
    public const string SubjectHeader = "servicebus.subject";
    public const string ContentTypeHeader = "servicebus.content-type";
    public const string PropertyPrefix = "servicebus.property.";

    /// <summary>The header a sent message's result carries: the entity it was sent to.</summary>
    public const string SentToHeader = "servicebus.sent-to";

    public static void Configure(ComponentBuilder component, ServiceBusSenders senders)
    {
        ArgumentNullException.ThrowIfNull(component);
        component.BatchAction(Action, messages => SendAsync(messages, senders));
    }

    /// <summary>Sends the messages of one call (they share its configuration); one result per message, in order.</summary>
    public static async Task<IReadOnlyList<IReadOnlyList<Emit>>> SendAsync(IReadOnlyList<ActionContext> messages, ServiceBusSenders senders)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(senders);
        var results = new IReadOnlyList<Emit>[messages.Count];
        if (messages.Count == 0)
        {
            return results;
        }

        var (settings, errors) = SendSettings.Parse(messages[0].Configuration);
        if (settings is null)
        {
            Array.Fill(results, [Emit.Fail($"The send step's configuration is not usable: {string.Join(" ", errors)}")]);
            return results;
        }

        ServiceBusSender sender;
        try
        {
            sender = senders.Get(settings);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
        {
            // The SDK's message may quote the connection string: say what is wrong without it.
            Array.Fill(results, [Emit.Fail("connectionString: not a Service Bus connection string; expected Endpoint=sb://NAMESPACE.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=... (or give fullyQualifiedNamespace instead).")]);
            return results;
        }

        var outgoing = new List<(int Index, ServiceBusMessage Message)>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            if (ToServiceBus(messages[i].Message, settings, out var message) is { } problem)
            {
                results[i] = [Emit.Fail($"Message {messages[i].Message.Id} was not sent to {settings.Entity}: {problem}")];
            }
            else
            {
                outgoing.Add((i, message!));
            }
        }

        await SendInBatchesAsync(sender, settings, messages, outgoing, results, messages[0].Aborted);
        return results;
    }

    private static async Task SendInBatchesAsync(
        ServiceBusSender sender,
        SendSettings settings,
        IReadOnlyList<ActionContext> inputs,
        List<(int Index, ServiceBusMessage Message)> outgoing,
        IReadOnlyList<Emit>[] results,
        CancellationToken cancellationToken)
    {
        var batch = await sender.CreateMessageBatchAsync(cancellationToken);
        var inBatch = new List<(int Index, ServiceBusMessage Message)>();
        try
        {
            foreach (var item in outgoing)
            {
                if (batch.TryAddMessage(item.Message))
                {
                    inBatch.Add(item);
                    continue;
                }

                if (inBatch.Count > 0)
                {
                    await FlushAsync();
                    batch.Dispose();
                    batch = await sender.CreateMessageBatchAsync(cancellationToken);
                    if (batch.TryAddMessage(item.Message))
                    {
                        inBatch.Add(item);
                        continue;
                    }
                }

                results[item.Index] = [Emit.Fail(
                    $"Message {inputs[item.Index].Message.Id} was not sent to {settings.Entity}: at {item.Message.Body.ToMemory().Length} bytes it is larger " +
                    $"than the entity takes ({batch.MaxSizeInBytes} bytes a message with its properties). Make it smaller or send a reference to it.")];
            }

            await FlushAsync();
        }
        finally
        {
            batch.Dispose();
        }

        async Task FlushAsync()
        {
            if (inBatch.Count == 0)
            {
                return;
            }

            try
            {
                await sender.SendMessagesAsync(batch, cancellationToken);
                foreach (var (index, message) in inBatch)
                {
                    var input = inputs[index].Message;
                    var headers = new Dictionary<string, string>(input.Headers ?? new Dictionary<string, string>(), StringComparer.Ordinal)
                    {
                        [MessageIdHeader] = message.MessageId,
                        [SentToHeader] = settings.Entity,
                    };
                    results[index] = [Emit.Data(input.Body, headers)];
                }
            }
            catch (Exception e) when (e is ServiceBusException or UnauthorizedAccessException or Azure.Identity.AuthenticationFailedException or InvalidOperationException)
            {
                // The whole Service Bus batch failed together: each of its messages says so (none of them was sent).
                var reason = e is ServiceBusException bus ? $"{bus.Reason}: {bus.Message}" : $"{e.GetType().Name}: {e.Message}";
                foreach (var (index, _) in inBatch)
                {
                    results[index] = [Emit.Fail($"Message {inputs[index].Message.Id} was not sent to {settings.Entity} in {settings.Namespace}: {reason}")];
                }
            }

            inBatch.Clear();
        }
    }

    /// <summary>The Service Bus message for an input, or why there is none.</summary>
    private static string? ToServiceBus(ProtocolMessage input, SendSettings settings, out ServiceBusMessage? message)
    {
        message = null;
        var headers = input.Headers ?? new Dictionary<string, string>();
        string? missing = null;
        string? Pick(string field, string? configured, string? header, string? fallback)
        {
            if (configured is not null)
            {
                var value = PropertyTemplate.Resolve(configured, input, out var lacking);
                missing ??= lacking is null ? null : $"{field} is '{configured}', but {lacking}.";
                return value;
            }

            return header is not null && headers.TryGetValue(header, out var fromHeader) ? fromHeader : fallback;
        }

        var messageId = Pick("messageId", settings.MessageId, MessageIdHeader, input.Id);
        var sessionId = Pick("sessionId", settings.SessionId, SessionIdHeader, null);
        var correlationId = Pick("correlationId", settings.CorrelationId, CorrelationIdHeader, null);
        var subject = Pick("subject", settings.Subject, SubjectHeader, null);
        var contentType = Pick("contentType", settings.ContentType, ContentTypeHeader, "application/json");
        var properties = settings.ApplicationProperties.ToDictionary(p => p.Key, p => Pick($"applicationProperties.{p.Key}", p.Value, null, null));
        if (missing is not null)
        {
            return missing;
        }

        if (messageId is not { Length: > 0 and <= 128 })
        {
            return $"its message id is {messageId?.Length ?? 0} characters long; Service Bus takes 1 to 128.";
        }

        if (sessionId is { Length: > 128 })
        {
            return $"its session id is {sessionId.Length} characters long; Service Bus takes at most 128.";
        }

        var built = new ServiceBusMessage(BinaryData.FromString(input.Body.GetRawText()))
        {
            MessageId = messageId,
            SessionId = sessionId,
            CorrelationId = correlationId,
            Subject = subject,
            ContentType = contentType,
        };
        if (settings.CopyProperties)
        {
            foreach (var (name, value) in headers.Where(h => h.Key.StartsWith(PropertyPrefix, StringComparison.Ordinal)))
            {
                built.ApplicationProperties[name[PropertyPrefix.Length..]] = value;
            }
        }

        foreach (var (name, value) in properties)
        {
            built.ApplicationProperties[name] = value;
        }

        message = built;
        return null;
    }
}
