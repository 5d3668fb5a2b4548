namespace FlowActors.Client;

/// <summary>What a whole draft did with a sample message, step by step.</summary>
/// <param name="Steps">Each step call in the order it ran (a step reached by several outputs appears once per output).</param>
/// <param name="Error">Why the try stopped early (a step failed, or it reached <see cref="MaxStepTrials"/>); null otherwise.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.DraftTrial")]
public sealed record DraftTrial(
    [property: Id(0)] IReadOnlyList<StepTrial> Steps,
    [property: Id(1)] string? Error)
{
    /// <summary>Most step calls one try of a draft makes.</summary>
    public const int MaxStepTrials = 100;
}
