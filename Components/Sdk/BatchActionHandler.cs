using FlowActors.ComponentProtocol;

namespace FlowActors.ComponentSdk;

/// <summary>
/// Runs one action on the messages of a batch (one context per message, in order) and returns what it emits for each,
/// in the same order. A message the handler failed on gets an <c>error</c> emit in its result; the others stand.
/// </summary>
public delegate Task<IReadOnlyList<IReadOnlyList<Emit>>> BatchActionHandler(IReadOnlyList<ActionContext> messages);

/// <summary>An action as declared: a per-message handler or a batch handler, exactly one of them.</summary>
internal sealed record ActionEntry(ActionHandler? PerMessage, BatchActionHandler? Batch);
