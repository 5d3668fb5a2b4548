namespace FlowActors.Client;

/// <summary>One step an execution went through, and how long that step took (component call included).</summary>
/// <param name="RoutedTo">
/// For a step whose edges have conditions: the next steps this output took (empty when none did, and the branch ended).
/// Null for a step whose outputs take every edge.
/// </param>
[GenerateSerializer, Immutable, Alias("FlowActors.StepTiming")]
public sealed record StepTiming(
    [property: Id(0)] string StepId,
    [property: Id(1)] TimeSpan Elapsed,
    [property: Id(2)] IReadOnlyList<string>? RoutedTo = null)
{
    // A record compares its lists by reference; a hop is its content (the execution log keeps each hop once).
    public bool Equals(StepTiming? other) =>
        other is not null && StepId == other.StepId && Elapsed == other.Elapsed
        && (RoutedTo is null ? other.RoutedTo is null : other.RoutedTo is not null && RoutedTo.SequenceEqual(other.RoutedTo));

    public override int GetHashCode() => HashCode.Combine(StepId, Elapsed, RoutedTo?.Count);
}
