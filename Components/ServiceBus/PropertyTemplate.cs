using System.Globalization;
using System.Text.Json;
using FlowActors.ComponentProtocol;

namespace FlowActors.ServiceBusComponent;

/// <summary>Resolves a configured property value against a message: a literal, or one reference to the message.</summary>
internal static class PropertyTemplate
{
    private const string HeaderPrefix = "{header:";
    private const string BodyPrefix = "{body:";

    /// <summary>The reference's kind (<c>header</c>, <c>body</c>, <c>message.id</c>, <c>execution.id</c>), or null.</summary>
    public static string? Kind(string value) => value switch
    {
        "{message.id}" => "message.id",
        "{execution.id}" => "execution.id",
        _ when value.StartsWith(HeaderPrefix, StringComparison.Ordinal) && value.Length > HeaderPrefix.Length + 1 => "header",
        _ when value.StartsWith(BodyPrefix, StringComparison.Ordinal) && value.Length > BodyPrefix.Length + 1 => "body",
        _ => null,
    };

    /// <summary>The value for <paramref name="message"/>; null (and <paramref name="missing"/> set) when it refers to what the message lacks.</summary>
    public static string? Resolve(string template, ProtocolMessage message, out string? missing)
    {
        missing = null;
        if (!template.StartsWith('{') || !template.EndsWith('}'))
        {
            return template;
        }

        switch (Kind(template))
        {
            case "message.id":
                return message.Id;
            case "execution.id":
                return message.ExecutionId;
            case "header":
                var header = template[HeaderPrefix.Length..^1];
                if (message.Headers?.TryGetValue(header, out var value) == true)
                {
                    return value;
                }

                missing = $"the message has no header '{header}'";
                return null;
            case "body":
                var field = template[BodyPrefix.Length..^1];
                if (message.Body.ValueKind == JsonValueKind.Object && message.Body.TryGetProperty(field, out var found)
                    && found.ValueKind is not (JsonValueKind.Null or JsonValueKind.Object or JsonValueKind.Array))
                {
                    return found.ValueKind == JsonValueKind.String ? found.GetString() : found.GetRawText();
                }

                missing = $"the message body has no field '{field}' holding a string, number or boolean";
                return null;
            default:
                return template;
        }
    }

    public static string Invariant(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}
