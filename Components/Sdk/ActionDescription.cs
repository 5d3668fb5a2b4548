using System.Text.Json;

namespace FlowActors.ComponentSdk;

/// <summary>
/// What a designer should know of an action: the JSON Schema of the configuration it reads and a sample input, both
/// as JSON text, and a short title. They go in the deployment's <c>descriptor.details</c> (docs/components.md);
/// <c>GET /descriptor</c> and <c>--descriptor</c> show them as the component declares them.
/// </summary>
public sealed record ActionDescription(string? ConfigurationSchema = null, string? SampleInput = null, string? Title = null)
{
    /// <summary>Throws, naming the action and the part, when a part is not JSON (or the schema not an object).</summary>
    internal void ThrowIfInvalid(string action)
    {
        Check(ConfigurationSchema, "configurationSchema", objectOnly: true);
        Check(SampleInput, "sampleInput", objectOnly: false);

        void Check(string? text, string part, bool objectOnly)
        {
            if (text is null)
            {
                return;
            }

            try
            {
                using var document = JsonDocument.Parse(text);
                if (objectOnly && document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ArgumentException($"The {part} of action '{action}' is a JSON {document.RootElement.ValueKind}; a schema is an object.", nameof(ConfigurationSchema));
                }
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"The {part} of action '{action}' is not JSON: {e.Message}", part == "sampleInput" ? nameof(SampleInput) : nameof(ConfigurationSchema), e);
            }
        }
    }
}
