namespace FlowActors.Grains.Interfaces.Trials;

/// <summary>A sample message to try a step or a draft with.</summary>
/// <param name="Body">A JSON document.</param>
/// <param name="Headers">Its headers (<c>$headers</c> in expressions); null for none.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.TrialMessage")]
public sealed record TrialMessage(
    [property: Id(0)] string Body,
    [property: Id(1)] IReadOnlyDictionary<string, string>? Headers = null);
