using System.Text.Json;

namespace FlowActors.Client;

/// <summary>
/// Writes a step's configuration from an object instead of by hand:
/// <c>new StepDefinition("shout", "transform", "uppercase", StepConfiguration.From(new { field = "name" }))</c>.
/// <see cref="StepDefinition.Configuration"/> holds the JSON text of an object; over HTTP it is a plain JSON object.
/// </summary>
public static class StepConfiguration
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The JSON text of <paramref name="configuration"/> (an anonymous object, a dictionary, a record...), property
    /// names in camelCase as components read them. Throws <see cref="ArgumentException"/> when it is not a JSON object.
    /// </summary>
    public static string From<T>(T configuration)
        where T : notnull
    {
        var element = JsonSerializer.SerializeToElement(configuration, Web);
        return element.ValueKind == JsonValueKind.Object
            ? element.GetRawText()
            : throw new ArgumentException($"A step's configuration is a JSON object; {typeof(T).Name} serializes to a JSON {element.ValueKind.ToString().ToLowerInvariant()}.", nameof(configuration));
    }
}
