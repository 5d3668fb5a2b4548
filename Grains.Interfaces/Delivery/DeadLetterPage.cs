namespace FlowActors.Client;

/// <summary>A page of a flow's dead letters, the newest first.</summary>
/// <param name="Items">The dead letters on this page.</param>
/// <param name="Total">How many the flow keeps now (all pages).</param>
/// <param name="Offset">How many newer ones this page skipped.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.DeadLetterPage")]
public sealed record DeadLetterPage(
    [property: Id(0)] IReadOnlyList<DeadLetter> Items,
    [property: Id(1)] int Total,
    [property: Id(2)] int Offset);
