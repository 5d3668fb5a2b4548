using System.Text.Json;
using System.Text.Json.Nodes;
using FlowActors.Client;
using FlowActors.Grains.Flows;
using Json.Schema;

namespace FlowActors.Grains.Components;

/// <summary>
/// Checks a descriptor's per-action details at deploy: each names an action or trigger of the descriptor, its
/// configuration schema is a JSON Schema that its meta-schema accepts (JsonSchema.Net), and its sample input is JSON.
/// A mistake is refused with the field and the place in the schema, so it never reaches a designer as a broken form.
/// </summary>
internal static class ActionDetailsValidator
{
    public const int MaxDetailBytes = 64 * 1024;

    private static readonly Dictionary<string, JsonSchema> MetaSchemasById = new(StringComparer.Ordinal)
    {
        [MetaSchemas.Draft202012Id.OriginalString] = MetaSchemas.Draft202012,
        [MetaSchemas.Draft201909Id.OriginalString] = MetaSchemas.Draft201909,
        [MetaSchemas.Draft7Id.OriginalString] = MetaSchemas.Draft7,
        [MetaSchemas.Draft6Id.OriginalString] = MetaSchemas.Draft6,
    };

    /// <summary>The first problem with <paramref name="descriptor"/>'s details, naming the field; null when there is none.</summary>
    public static string? Problem(ComponentDescriptor descriptor)
    {
        if (descriptor.Details is not { } details)
        {
            return null;
        }

        var offered = (descriptor.Triggers ?? []).Concat(descriptor.Actions ?? []).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, detail) in details)
        {
            var field = $"descriptor.details.{FlowValidator.Quote(name)}";
            if (!offered.Contains(name))
            {
                return $"'{field}' describes '{FlowValidator.Quote(name)}', which is not one of the descriptor's actions or triggers ({string.Join(", ", offered)}).";
            }

            if (detail is null)
            {
                return $"'{field}' is null; send {{\"configurationSchema\": {{...}}, \"sampleInput\": {{...}}}} or leave the action out.";
            }

            if (SchemaProblem(detail.ConfigurationSchema, $"{field}.configurationSchema") is { } schema)
            {
                return schema;
            }

            if (JsonProblem(detail.SampleInput, $"{field}.sampleInput") is { } sample)
            {
                return sample;
            }

            if (detail.Title is { Length: > 200 })
            {
                return $"'{field}.title' is {detail.Title.Length} characters long; at most 200 are allowed.";
            }
        }

        return null;
    }

    private static string? JsonProblem(string? text, string field)
    {
        if (text is null)
        {
            return null;
        }

        if (text.Length > MaxDetailBytes)
        {
            return $"'{field}' is {text.Length} characters long; at most {MaxDetailBytes} are allowed.";
        }

        try
        {
            using var _ = JsonDocument.Parse(text);
            return null;
        }
        catch (JsonException e)
        {
            return $"'{field}' is not JSON: {e.Message}";
        }
    }

    private static string? SchemaProblem(string? text, string field)
    {
        if (JsonProblem(text, field) is { } problem)
        {
            return problem;
        }

        if (text is null)
        {
            return null;
        }

        var node = JsonNode.Parse(text);
        if (node is not JsonObject schema)
        {
            return $"'{field}' is a JSON {node?.GetValueKind().ToString().ToLowerInvariant() ?? "null"}; a configuration schema is an object such as {{\"type\": \"object\", \"properties\": {{...}}}}.";
        }

        var declared = schema["$schema"] is JsonValue value && value.TryGetValue<string>(out var id) ? id : MetaSchemas.Draft202012Id.OriginalString;
        if (!MetaSchemasById.TryGetValue(declared, out var meta))
        {
            return $"'{field}.$schema' is '{FlowValidator.Quote(declared)}'; expected one of {string.Join(", ", MetaSchemasById.Keys)} (or none: 2020-12).";
        }

        var results = meta.Evaluate(schema, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
        {
            // The deepest place first: the meta-schema's own branches also fail at the root, saying less.
            var error = (results.Details ?? [])
                .Where(d => d.HasErrors)
                .Select(d => (d.InstanceLocation, Message: d.Errors!.Values.First()))
                .OrderByDescending(e => e.InstanceLocation?.ToString().Length ?? 0)
                .FirstOrDefault();
            var at = error.InstanceLocation?.ToString() is { Length: > 0 } pointer ? $" at '{pointer}'" : "";
            return $"'{field}' is not a valid JSON Schema{at}: {error.Message ?? "its meta-schema refuses it"}.";
        }

        try
        {
            _ = JsonSchema.FromText(text);
            return null;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return $"'{field}' is not a valid JSON Schema: {e.Message}";
        }
    }
}
