namespace FlowActors.ComponentProtocol;

/// <summary>Body of the 200 answer to <c>POST /invoke</c>: what the component emits, in order.</summary>
public sealed record InvokeResponse(IReadOnlyList<Emit> Emits);
