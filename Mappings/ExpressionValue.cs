namespace FlowActors.Mappings;

/// <summary>What one expression made of one input: a JSON value, no value (jsonata's undefined), or an error.</summary>
/// <param name="Json">The result as JSON text; null for no value or an error. A condition's is <c>true</c> or <c>false</c>.</param>
/// <param name="Error">Why it failed; null when it did not.</param>
public readonly record struct ExpressionValue(string? Json, ExpressionError? Error)
{
    /// <summary>jsonata's undefined: the expression matched nothing.</summary>
    public bool IsUndefined => Json is null && Error is null;

    /// <summary>A condition that held.</summary>
    public bool IsTrue => Json == "true";
}
