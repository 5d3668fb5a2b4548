namespace FlowActors.ComponentSdk;

/// <summary>Body of a 400 answer: the request could not be dispatched (the platform shows <see cref="Error"/>).</summary>
/// <param name="KnownActions">The actions this component serves, when the request named another one.</param>
internal sealed record ErrorReply(string Error, IReadOnlyList<string>? KnownActions = null);
