using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlowActors.Cli.Files;

/// <summary>
/// What a file says and what the silo holds, in one shape, so that applying compares like with like: object keys
/// sorted, empty lists and objects written out, a chain's edges spelled out.
/// </summary>
public static class Canonical
{
    /// <summary>JSON text with every object's keys in ordinal order: equal text, equal meaning.</summary>
    public static string Of(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(node, text);
        return text.ToString();
    }

    /// <summary>A revision's <c>{launch, descriptor}</c> as the API answers it, in the shape of <see cref="ComponentFile.Deployment"/>.</summary>
    public static JsonObject Deployment(JsonElement revision)
    {
        var launch = revision.GetProperty("launch");
        var descriptor = revision.GetProperty("descriptor");
        return new JsonObject
        {
            ["launch"] = new JsonObject
            {
                ["image"] = StringOrNull(launch, "image"),
                ["command"] = StringOrNull(launch, "command"),
                ["arguments"] = Node(launch, "arguments") ?? new JsonArray(),
                ["environment"] = Node(launch, "environment") ?? new JsonObject(),
            },
            ["descriptor"] = new JsonObject
            {
                ["triggers"] = Node(descriptor, "triggers") ?? new JsonArray(),
                ["actions"] = Node(descriptor, "actions") ?? new JsonArray(),
            },
        };
    }

    /// <summary>A draft as the API answers it, in the shape of <see cref="FlowFile.Definition"/>.</summary>
    public static JsonObject Definition(JsonElement draft) => new()
    {
        ["name"] = StringOrNull(draft, "name"),
        ["steps"] = new JsonArray(draft.GetProperty("steps").EnumerateArray().Select(s => (JsonNode)new JsonObject
        {
            ["id"] = StringOrNull(s, "id"),
            ["componentId"] = StringOrNull(s, "componentId"),
            ["action"] = StringOrNull(s, "action"),
            ["configuration"] = Node(s, "configuration"),
            ["credential"] = StringOrNull(s, "credential"),
        }).ToArray()),
        ["edges"] = Node(draft, "edges") ?? new JsonArray(),
    };

    private static string? StringOrNull(JsonElement value, string name) =>
        value.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String ? property.GetString() : null;

    private static JsonNode? Node(JsonElement value, string name) =>
        value.TryGetProperty(name, out var property) && property.ValueKind != JsonValueKind.Null ? JsonNode.Parse(property.GetRawText()) : null;

    private static void Write(JsonNode? node, StringBuilder text)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject o:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(first ? "" : ",").Append(JsonSerializer.Serialize(key)).Append(':');
                    Write(value, text);
                    first = false;
                }

                text.Append('}');
                break;
            case JsonArray a:
                text.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    text.Append(i == 0 ? "" : ",");
                    Write(a[i], text);
                }

                text.Append(']');
                break;
            default:
                text.Append(node.ToJsonString());
                break;
        }
    }
}
