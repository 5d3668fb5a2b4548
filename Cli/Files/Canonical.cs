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
        var deployment = new JsonObject
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
        if (IntOrNull(descriptor, "maxConcurrency") is { } most)
        {
            deployment["descriptor"]!["maxConcurrency"] = most;
        }

        if (descriptor.TryGetProperty("details", out var details) && Details(details) is { Count: > 0 } read)
        {
            deployment["descriptor"]!["details"] = read;
        }

        return deployment;
    }

    /// <summary>
    /// A descriptor's <c>details</c> (per action: title, configuration schema, sample input) in one shape for files and
    /// for what the API answers: names in order, parts left out when null, a part given as JSON text read as that text
    /// (as the silo reads it). Null when <paramref name="details"/> is not an object of objects.
    /// </summary>
    public static JsonObject? Details(JsonElement details)
    {
        if (details.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var read = new JsonObject();
        foreach (var action in details.EnumerateObject().OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            if (action.Value.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var entry = new JsonObject();
            foreach (var part in new[] { "title", "configurationSchema", "sampleInput" })
            {
                if (action.Value.TryGetProperty(part, out var value) && value.ValueKind != JsonValueKind.Null)
                {
                    entry[part] = part != "title" && value.ValueKind == JsonValueKind.String && TryParse(value.GetString()!) is { } parsed
                        ? parsed
                        : JsonNode.Parse(value.GetRawText());
                }
            }

            read[action.Name] = entry;
        }

        return read;
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A draft as the API answers it, in the shape of <see cref="FlowFile.Definition"/>.</summary>
    public static JsonObject Definition(JsonElement draft) => new()
    {
        ["name"] = StringOrNull(draft, "name"),
        ["steps"] = new JsonArray(draft.GetProperty("steps").EnumerateArray().Select(s => (JsonNode)Step(
            StringOrNull(s, "id"), StringOrNull(s, "componentId"), StringOrNull(s, "action"), Node(s, "configuration"),
            StringOrNull(s, "credential"), StringOrNull(s, "mapping"), s.TryGetProperty("each", out var each) && each.ValueKind == JsonValueKind.True,
            IntOrNull(s, "concurrency"), s.TryGetProperty("keepOrder", out var keep) && keep.ValueKind is JsonValueKind.True or JsonValueKind.False ? keep.GetBoolean() : null)).ToArray()),
        ["edges"] = draft.TryGetProperty("edges", out var edges) && edges.ValueKind == JsonValueKind.Array
            ? new JsonArray(edges.EnumerateArray().Select(e => (JsonNode)Edge(
                StringOrNull(e, "from"), StringOrNull(e, "to"), StringOrNull(e, "when"), e.TryGetProperty("otherwise", out var o) && o.ValueKind == JsonValueKind.True)).ToArray())
            : new JsonArray(),
    };

    /// <summary>
    /// A step as files and the API compare it: <c>mapping</c>, <c>each</c>, <c>concurrency</c> and <c>keepOrder</c> only
    /// when set, so older files compare equal.
    /// </summary>
    public static JsonObject Step(
        string? id, string? componentId, string? action, JsonNode? configuration, string? credential, string? mapping, bool each,
        int? concurrency = null, bool? keepOrder = null)
    {
        var step = new JsonObject
        {
            ["id"] = id, ["componentId"] = componentId, ["action"] = action, ["configuration"] = configuration, ["credential"] = credential,
        };
        if (mapping is not null)
        {
            step["mapping"] = mapping;
        }

        if (each)
        {
            step["each"] = true;
        }

        if (concurrency is not null)
        {
            step["concurrency"] = concurrency;
        }

        if (keepOrder is not null)
        {
            step["keepOrder"] = keepOrder;
        }

        return step;
    }

    /// <summary>An edge as files and the API compare it: <c>when</c> and <c>otherwise</c> only when set.</summary>
    public static JsonObject Edge(string? from, string? to, string? when, bool otherwise)
    {
        var edge = new JsonObject { ["from"] = from, ["to"] = to };
        if (when is not null)
        {
            edge["when"] = when;
        }

        if (otherwise)
        {
            edge["otherwise"] = true;
        }

        return edge;
    }

    private static string? StringOrNull(JsonElement value, string name) =>
        value.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String ? property.GetString() : null;

    private static int? IntOrNull(JsonElement value, string name) =>
        value.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number && property.TryGetInt32(out var number) ? number : null;

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
