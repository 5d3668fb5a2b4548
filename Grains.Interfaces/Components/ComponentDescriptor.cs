namespace FlowActors.Client;

/// <summary>What a component offers: the triggers (start an execution) and actions (process a message) a step may name.</summary>
/// <param name="Details">
/// Optional, per trigger or action name: its configuration's JSON Schema and a sample input, for the console's designer.
/// A name not listed in <paramref name="Triggers"/> or <paramref name="Actions"/> is refused at deploy.
/// </param>
/// <param name="MaxConcurrency">
/// The most messages the component accepts in flight at once (a connection pool, an API's limit); null: no limit of its
/// own. The platform never sends it more, whatever a step asks for.
/// </param>
[GenerateSerializer, Immutable, Alias("FlowActors.ComponentDescriptor")]
public sealed record ComponentDescriptor(
    [property: Id(0)] IReadOnlyList<string> Triggers,
    [property: Id(1)] IReadOnlyList<string> Actions,
    [property: Id(2)] IReadOnlyDictionary<string, ActionDetails>? Details = null,
    [property: Id(3)] int? MaxConcurrency = null)
{
    /// <summary>True when <paramref name="name"/> is one of the component's triggers or actions.</summary>
    public bool Offers(string name) => Triggers.Contains(name) || Actions.Contains(name);
}
