namespace FlowActors.Mappings;

/// <summary>Why a JSONata expression did not compile or evaluate.</summary>
/// <param name="Code">jsonata's error code (<c>S0202</c>, <c>T2001</c>, <c>D2014</c>…), or FlowActors' own for a limit: <c>timeout</c>, <c>memory</c>.</param>
/// <param name="Position">The character position in the expression jsonata points at (1-based, after the token), or null.</param>
/// <param name="Message">What went wrong, in jsonata's words or ours.</param>
public sealed record ExpressionError(string? Code, int? Position, string Message)
{
    /// <summary>The expression ran longer than the engine's time limit.</summary>
    public const string TimeoutCode = "timeout";

    /// <summary>The expression made the engine's heap grow over its limit.</summary>
    public const string MemoryCode = "memory";

    /// <summary>True when a limit of the engine stopped the expression (not an error of jsonata's).</summary>
    public bool IsLimit => Code is TimeoutCode or MemoryCode;

    public override string ToString() =>
        (Code is null ? "" : $"{Code}: ") + Message + (Position is { } p ? $" (at position {p})" : "");
}
