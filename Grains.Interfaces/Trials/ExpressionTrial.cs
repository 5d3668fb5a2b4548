namespace FlowActors.Client;

/// <summary>What an expression gave on a sample.</summary>
/// <param name="Result">The value as JSON text (<c>true</c>/<c>false</c> for a condition); null for no value or an error.</param>
/// <param name="Undefined">The expression matched nothing (jsonata's undefined).</param>
/// <param name="Error">What went wrong, or null.</param>
/// <param name="Code">jsonata's error code (S0202…) or a limit (<c>timeout</c>, <c>memory</c>), or null.</param>
/// <param name="Position">Where in the expression jsonata points, or null.</param>
/// <param name="Elapsed">How long the evaluation took (compiling included).</param>
[GenerateSerializer, Immutable, Alias("FlowActors.ExpressionTrial")]
public sealed record ExpressionTrial(
    [property: Id(0)] string? Result,
    [property: Id(1)] bool Undefined,
    [property: Id(2)] string? Error,
    [property: Id(3)] string? Code,
    [property: Id(4)] int? Position,
    [property: Id(5)] TimeSpan Elapsed);
