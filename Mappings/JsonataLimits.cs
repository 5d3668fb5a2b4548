namespace FlowActors.Mappings;

/// <summary>What one JSONata engine may use for one evaluation: time, and heap.</summary>
/// <param name="Timeout">Longest one engine call may run (a batch; a batch that runs out is tried again input by input).</param>
/// <param name="MaxHeapBytes">Largest heap the engine may grow to; over it the evaluation fails and the engine is rebuilt.</param>
public sealed record JsonataLimits(TimeSpan Timeout, long MaxHeapBytes)
{
    /// <summary>Longest expression accepted, in characters.</summary>
    public const int MaxExpressionLength = 64 * 1024;

    public static readonly JsonataLimits Default = new(TimeSpan.FromSeconds(1), 48L * 1024 * 1024);
}
