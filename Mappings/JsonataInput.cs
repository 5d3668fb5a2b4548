namespace FlowActors.Mappings;

/// <summary>One input of an evaluation: <c>$</c> and the bindings that differ per message.</summary>
/// <param name="Body">The JSON text <c>$</c> is bound to.</param>
/// <param name="Headers">Bound to <c>$headers</c> (an object of strings); null: an empty object.</param>
/// <param name="ExecutionId">Bound to <c>$executionId</c>; null: null.</param>
public readonly record struct JsonataInput(string Body, IReadOnlyDictionary<string, string>? Headers = null, string? ExecutionId = null);
