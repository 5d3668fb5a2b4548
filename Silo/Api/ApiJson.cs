using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FlowActors.Client;

namespace FlowActors.Silo.Api;

/// <summary>
/// The HTTP API's JSON, where it differs from the contracts' defaults. The contracts keep JSON documents as text
/// (a step's configuration, an output's body); over HTTP they are plain JSON values, so nobody writes JSON inside a
/// string. Enums are names. A field the API does not know is refused, naming it, instead of being ignored.
/// </summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter());
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(EmbedJsonText);
    }

    private static void EmbedJsonText(JsonTypeInfo type)
    {
        if (type.Type == typeof(StepDefinition))
        {
            Property(type, nameof(StepDefinition.Configuration)).CustomConverter = StepConfigurationConverter.Instance;
        }
        else if (type.Type == typeof(ExecutionOutput))
        {
            Property(type, nameof(ExecutionOutput.Body)).CustomConverter = JsonTextConverter.Instance;
        }
        else if (type.Type == typeof(StepTrial))
        {
            Property(type, nameof(StepTrial.Input)).CustomConverter = JsonTextConverter.Instance;
            Property(type, nameof(StepTrial.Mapped)).CustomConverter = JsonTextListConverter.Instance;
        }
        else if (type.Type == typeof(TrialEmit))
        {
            Property(type, nameof(TrialEmit.Body)).CustomConverter = JsonTextConverter.Instance;
        }
        else if (type.Type == typeof(ExpressionTrial))
        {
            Property(type, nameof(ExpressionTrial.Result)).CustomConverter = JsonTextConverter.Instance;
        }
        else if (type.Type == typeof(ActionDetails))
        {
            Property(type, nameof(ActionDetails.ConfigurationSchema)).CustomConverter = JsonValueOrTextConverter.Instance;
            Property(type, nameof(ActionDetails.SampleInput)).CustomConverter = JsonValueOrTextConverter.Instance;
        }
        else if (type.Type == typeof(ExpressionSample))
        {
            Property(type, nameof(ExpressionSample.Input)).CustomConverter = JsonTextConverter.Instance;
            Property(type, nameof(ExpressionSample.Configuration)).CustomConverter = JsonTextConverter.Instance;
        }
    }

    private static JsonPropertyInfo Property(JsonTypeInfo type, string name) =>
        type.Properties.Single(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The compact JSON text of the value at the reader.</summary>
    internal static string ReadCompact(ref Utf8JsonReader reader)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            document.RootElement.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes JSON text as the JSON value it is; text that is not JSON (a truncated body) as a string.</summary>
    internal static void WriteJsonText(Utf8JsonWriter writer, string text)
    {
        if (RequestBody.JsonError(System.Text.Encoding.UTF8.GetBytes(text)) is null && !string.IsNullOrWhiteSpace(text))
        {
            writer.WriteRawValue(text, skipInputValidation: true);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    /// <summary>
    /// A step's configuration: a JSON object over HTTP (stored compact), or, as before, a string holding one. Anything
    /// else is refused with what to write instead.
    /// </summary>
    private sealed class StepConfigurationConverter : JsonConverter<string?>
    {
        public static readonly StepConfigurationConverter Instance = new();

        public override bool HandleNull => true;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.StartObject => ReadCompact(ref reader),
            _ => throw new JsonException(
                $"A step's configuration is a JSON object such as {{\"field\":\"name\"}} (or null for none); this one is a JSON {Describe(reader.TokenType)}."),
        };

        public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                WriteJsonText(writer, value);
            }
        }

        private static string Describe(JsonTokenType token) => token switch
        {
            JsonTokenType.StartArray => "array",
            JsonTokenType.Number => "number",
            JsonTokenType.True or JsonTokenType.False => "boolean",
            _ => token.ToString().ToLowerInvariant(),
        };
    }

    /// <summary>
    /// A JSON document kept as text that callers may send either way: as the JSON value itself, or, as a client that
    /// holds it as text does, a string holding that text (as a step's configuration). Written as the value it holds.
    /// Whether the text is JSON is checked where the field is validated, which names it.
    /// </summary>
    private sealed class JsonValueOrTextConverter : JsonConverter<string?>
    {
        public static readonly JsonValueOrTextConverter Instance = new();

        public override bool HandleNull => true;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => reader.GetString(),
            _ => ReadCompact(ref reader),
        };

        public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                WriteJsonText(writer, value);
            }
        }
    }

    /// <summary>A JSON document kept as text: written as the JSON value it holds.</summary>
    private sealed class JsonTextConverter : JsonConverter<string?>
    {
        public static readonly JsonTextConverter Instance = new();

        public override bool HandleNull => true;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.Null => null,
            _ => ReadCompact(ref reader),
        };

        public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                WriteJsonText(writer, value);
            }
        }
    }

    /// <summary>A list of JSON documents kept as text: written as a JSON array of the values they hold.</summary>
    private sealed class JsonTextListConverter : JsonConverter<IReadOnlyList<string>?>
    {
        public static readonly JsonTextListConverter Instance = new();

        public override bool HandleNull => true;

        public override IReadOnlyList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Array
                ? [.. document.RootElement.EnumerateArray().Select(e => e.GetRawText())]
                : throw new JsonException("Expected a JSON array.");
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<string>? value, JsonSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNullValue();
                return;
            }

            writer.WriteStartArray();
            foreach (var text in value)
            {
                WriteJsonText(writer, text);
            }

            writer.WriteEndArray();
        }
    }
}
