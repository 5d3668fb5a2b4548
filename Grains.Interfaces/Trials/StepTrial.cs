namespace FlowActors.Client;

/// <summary>What one step of a draft did with a sample message.</summary>
/// <param name="StepId">The step tried.</param>
/// <param name="Input">The body the step received (before its mapping).</param>
/// <param name="Mapped">
/// The bodies the component was called with: the mapping's result (one), or with <c>each</c> one per element; the input
/// itself for a step without a mapping. Null when the mapping failed (see <paramref name="Error"/>).
/// </param>
/// <param name="Emits">Everything the component emitted, in order, each data output with the edges it took.</param>
/// <param name="Error">Why the try failed (the mapping, the component's start or call), naming the step; null when it did not.</param>
/// <param name="Revision">The component revision tried (the newest); 0 when none was started.</param>
/// <param name="Mapping">Time the mapping took.</param>
/// <param name="Start">Time the component took to start and answer its health probe.</param>
/// <param name="Call">Time the component calls took.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.StepTrial")]
public sealed record StepTrial(
    [property: Id(0)] string StepId,
    [property: Id(1)] string Input,
    [property: Id(2)] IReadOnlyList<string>? Mapped,
    [property: Id(3)] IReadOnlyList<TrialEmit> Emits,
    [property: Id(4)] string? Error,
    [property: Id(5)] int Revision,
    [property: Id(6)] TimeSpan Mapping,
    [property: Id(7)] TimeSpan Start,
    [property: Id(8)] TimeSpan Call);
