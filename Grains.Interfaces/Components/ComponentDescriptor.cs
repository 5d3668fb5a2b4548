namespace FlowActors.Client;

/// <summary>What a component offers: the triggers (start an execution) and actions (process a message) a step may name.</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.ComponentDescriptor")]
public sealed record ComponentDescriptor(
    [property: Id(0)] IReadOnlyList<string> Triggers,
    [property: Id(1)] IReadOnlyList<string> Actions)
{
    /// <summary>True when <paramref name="name"/> is one of the component's triggers or actions.</summary>
    public bool Offers(string name) => Triggers.Contains(name) || Actions.Contains(name);
}
