namespace FlowActors.ComponentProtocol;

/// <summary>
/// Body of the 200 answer to <c>POST /invoke/batch</c>: one result per message of the request, in the same order.
/// A message the action failed on has an <c>error</c> emit in its result; the others are not affected.
/// </summary>
public sealed record InvokeBatchResponse(IReadOnlyList<InvokeResponse> Results);
