using System.Buffers;
using System.Text.Json;

namespace FlowActors.SampleComponents;

/// <summary>Copies message bodies with changes, and stamps them with <c>FLOWACTORS_TAG</c>.</summary>
internal static class Bodies
{
    /// <summary>Environment variable: when set, outputs carry <c>"tag": value</c>, so tests can tell revisions apart.</summary>
    public const string TagVariable = "FLOWACTORS_TAG";

    private static readonly string? Tag = Environment.GetEnvironmentVariable(TagVariable);

    /// <summary>
    /// The body with every string property for which <paramref name="rewrite"/> returns a value replaced
    /// by it, plus the tag. A body that is not an object passes unchanged when there is nothing to rewrite.
    /// </summary>
    public static JsonElement Rewrite(JsonElement body, Func<string, string, string?>? rewrite = null)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return rewrite is null
                ? body
                : throw new InvalidOperationException($"The body must be a JSON object; it is {body.ValueKind}.");
        }

        if (rewrite is null && Tag is null)
        {
            return body;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in body.EnumerateObject())
            {
                if (Tag is not null && property.NameEquals("tag"))
                {
                    continue;
                }

                if (rewrite is not null
                    && property.Value.ValueKind == JsonValueKind.String
                    && rewrite(property.Name, property.Value.GetString()!) is { } replaced)
                {
                    writer.WriteString(property.Name, replaced);
                }
                else
                {
                    property.WriteTo(writer);
                }
            }

            if (Tag is not null)
            {
                writer.WriteString("tag", Tag);
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
