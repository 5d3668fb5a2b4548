using System.Text.Json;

namespace FlowActors.ComponentSdk;

/// <summary>
/// <c>GET /descriptor</c>: the actions a component serves, the details it declares for them and the most messages it
/// takes at once, in the shape of a
/// deployment's <c>descriptor</c> (a deployment may list some of them as triggers instead).
/// </summary>
internal sealed record DescriptorReply(
    IReadOnlyList<string> Actions, IReadOnlyDictionary<string, DescriptionReply> Details, int? MaxConcurrency)
{
    public static DescriptorReply Of(ComponentBuilder component) => new(
        [.. component.Actions.Keys.Order(StringComparer.Ordinal)],
        component.Descriptions.ToDictionary(
            d => d.Key,
            d => new DescriptionReply(Parse(d.Value.ConfigurationSchema), Parse(d.Value.SampleInput), d.Value.Title),
            StringComparer.Ordinal),
        component.MaxConcurrencyLimit);

    private static JsonElement? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}

/// <summary>One action's details as JSON values, not text.</summary>
internal sealed record DescriptionReply(JsonElement? ConfigurationSchema, JsonElement? SampleInput, string? Title);
