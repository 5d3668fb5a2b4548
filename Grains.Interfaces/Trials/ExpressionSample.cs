namespace FlowActors.Client;

/// <summary>An expression to evaluate on a sample.</summary>
/// <param name="Expression">A JSONata expression (a mapping or a condition).</param>
/// <param name="Input">The JSON text <c>$</c> is bound to.</param>
/// <param name="Headers"><c>$headers</c>; null for none.</param>
/// <param name="FlowId"><c>$flowId</c>, or null.</param>
/// <param name="StepId"><c>$stepId</c>, or null.</param>
/// <param name="Configuration"><c>$configuration</c>: a JSON object, or null.</param>
/// <param name="Condition">Read the result as an edge condition (true or false), as routing does.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.ExpressionSample")]
public sealed record ExpressionSample(
    [property: Id(0)] string Expression,
    [property: Id(1)] string Input,
    [property: Id(2)] IReadOnlyDictionary<string, string>? Headers = null,
    [property: Id(3)] string? FlowId = null,
    [property: Id(4)] string? StepId = null,
    [property: Id(5)] string? Configuration = null,
    [property: Id(6)] bool Condition = false);
