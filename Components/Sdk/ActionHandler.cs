using FlowActors.ComponentProtocol;

namespace FlowActors.ComponentSdk;

/// <summary>Runs one action of a component on one message and returns what it emits, in order.</summary>
public delegate Task<IReadOnlyList<Emit>> ActionHandler(ActionContext context);
