using FlowActors.Client;

namespace FlowActors.Grains.Delivery;

/// <summary>A flow's dead letters (oldest first, at most the configured capacity) and what became of them, as stored.</summary>
[GenerateSerializer, Alias("FlowActors.DeadLetterState")]
public sealed class DeadLetterState
{
    [Id(0)] public List<DeadLetter> Items { get; set; } = [];
    [Id(1)] public long DeadLettered { get; set; }
    [Id(2)] public long Dropped { get; set; }
    [Id(3)] public long Replayed { get; set; }
    [Id(4)] public long Discarded { get; set; }
}
