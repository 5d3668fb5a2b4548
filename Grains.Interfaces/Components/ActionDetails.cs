namespace FlowActors.Client;

/// <summary>
/// What a designer needs to know of one action (or trigger) of a component, beyond its name. Both parts are optional:
/// the console offers a form generated from <paramref name="ConfigurationSchema"/> where there is one, raw JSON
/// otherwise, and previews mappings against <paramref name="SampleInput"/>.
/// </summary>
/// <param name="ConfigurationSchema">
/// A JSON Schema (draft 2020-12 unless its <c>$schema</c> says otherwise) of the step configuration the action reads,
/// as JSON text; checked against its meta-schema when the component is deployed.
/// </param>
/// <param name="SampleInput">A message body the action handles, as JSON text: the designer's first sample.</param>
/// <param name="Title">A short human name for the action ("Uppercase a field"); the action's own name when null.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.ActionDetails")]
public sealed record ActionDetails(
    [property: Id(0)] string? ConfigurationSchema = null,
    [property: Id(1)] string? SampleInput = null,
    [property: Id(2)] string? Title = null);
