using System.Text.Json;

namespace FlowActors.ServiceBusComponent;

/// <summary>
/// The <c>send</c> action's configuration: where to send (namespace, queue or topic) and how to fill each Service Bus
/// message's properties. Every property value is a literal or a reference to the message, the whole value being one of
/// <c>{header:NAME}</c>, <c>{body:FIELD}</c> (a top-level field of the JSON body), <c>{message.id}</c> or
/// <c>{execution.id}</c>. Errors name the field and never repeat the connection string.
/// </summary>
public sealed record SendSettings(
    string? ConnectionString,
    string? FullyQualifiedNamespace,
    string Entity,
    string? MessageId,
    string? SessionId,
    string? CorrelationId,
    string? Subject,
    string? ContentType,
    IReadOnlyDictionary<string, string> ApplicationProperties,
    bool CopyProperties)
{
    /// <summary>The namespace the settings sign in to, for error messages: never the connection string itself.</summary>
    public string Namespace => FullyQualifiedNamespace ?? "the connection string's namespace";

    // Never print the secret, whoever formats these settings.
    public override string ToString() => $"SendSettings {{ Namespace = {Namespace}, Entity = {Entity} }}";

    /// <summary>The settings, or the errors (each naming its field) that make them unusable.</summary>
    public static (SendSettings? Settings, IReadOnlyList<string> Errors) Parse(JsonElement? configuration)
    {
        var errors = new List<string>();
        if (configuration is not { ValueKind: JsonValueKind.Object } c)
        {
            return (null, ["The step needs a configuration object: {\"fullyQualifiedNamespace\" or \"connectionString\", \"queue\" or \"topic\"}."]);
        }

        var connectionString = Text(c, "connectionString", errors);
        var fullyQualifiedNamespace = Text(c, "fullyQualifiedNamespace", errors);
        var queue = Text(c, "queue", errors);
        var topic = Text(c, "topic", errors);
        switch ((connectionString, fullyQualifiedNamespace))
        {
            case (null, null):
                errors.Add("connectionString: give a 'connectionString', or a 'fullyQualifiedNamespace' (e.g. \"contoso.servicebus.windows.net\") to sign in with DefaultAzureCredential.");
                break;
            case (not null, not null):
                errors.Add("fullyQualifiedNamespace: give a 'connectionString' or a 'fullyQualifiedNamespace', not both.");
                break;
            case (null, { } host) when host.Contains("://", StringComparison.Ordinal) || host.Contains('/', StringComparison.Ordinal):
                errors.Add($"fullyQualifiedNamespace: '{host}' is not a host name; give the namespace's host, e.g. \"contoso.servicebus.windows.net\".");
                break;
            default:
                break;
        }

        if ((queue, topic) is (null, null) or (not null, not null))
        {
            errors.Add("queue: give exactly one of 'queue' and 'topic' (the entity to send to).");
        }

        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (c.TryGetProperty("applicationProperties", out var bag) && bag.ValueKind != JsonValueKind.Null)
        {
            if (bag.ValueKind != JsonValueKind.Object)
            {
                errors.Add("applicationProperties: expected an object of names to values, e.g. {\"kind\":\"order\",\"region\":\"{header:region}\"}.");
            }
            else
            {
                foreach (var property in bag.EnumerateObject())
                {
                    if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null)
                    {
                        errors.Add($"applicationProperties.{property.Name}: expected a string, number or boolean.");
                        continue;
                    }

                    properties[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                    CheckTemplate($"applicationProperties.{property.Name}", properties[property.Name], errors);
                }
            }
        }

        var copy = true;
        if (c.TryGetProperty("copyProperties", out var copyValue) && copyValue.ValueKind != JsonValueKind.Null)
        {
            if (copyValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors.Add("copyProperties: expected true or false.");
            }
            else
            {
                copy = copyValue.GetBoolean();
            }
        }

        var settings = new SendSettings(
            connectionString,
            fullyQualifiedNamespace,
            queue ?? topic ?? "",
            Template(c, "messageId", errors),
            Template(c, "sessionId", errors),
            Template(c, "correlationId", errors),
            Template(c, "subject", errors),
            Template(c, "contentType", errors),
            properties,
            copy);
        return errors.Count == 0 ? (settings, []) : (null, errors);
    }

    private static string? Template(JsonElement configuration, string field, List<string> errors)
    {
        var value = Text(configuration, field, errors);
        if (value is not null)
        {
            CheckTemplate(field, value, errors);
        }

        return value;
    }

    private static void CheckTemplate(string field, string value, List<string> errors)
    {
        if (value.StartsWith('{') && value.EndsWith('}') && PropertyTemplate.Kind(value) is null)
        {
            errors.Add($"{field}: '{value}' is not a reference; use {{header:NAME}}, {{body:FIELD}}, {{message.id}} or {{execution.id}}, or a literal without braces.");
        }
    }

    private static string? Text(JsonElement configuration, string field, List<string> errors)
    {
        if (!configuration.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            // The value itself is not repeated: the field may be the connection string.
            errors.Add($"{field}: expected a non-empty string.");
            return null;
        }

        return value.GetString();
    }
}
