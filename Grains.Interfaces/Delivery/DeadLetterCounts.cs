namespace FlowActors.Grains.Interfaces.Delivery;

/// <summary>What became of a flow's dead letters; exact, and stored with them.</summary>
/// <param name="DeadLettered">Every message ever dead-lettered.</param>
/// <param name="Kept">Dead letters kept now (at most the configured capacity).</param>
/// <param name="Dropped">The oldest ones removed to make room for newer ones, unseen.</param>
/// <param name="Replayed">Sent again to their step.</param>
/// <param name="Discarded">Removed by an operator.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.DeadLetterCounts")]
public sealed record DeadLetterCounts(
    [property: Id(0)] long DeadLettered,
    [property: Id(1)] int Kept,
    [property: Id(2)] long Dropped,
    [property: Id(3)] long Replayed,
    [property: Id(4)] long Discarded);
