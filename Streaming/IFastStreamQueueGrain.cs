using Orleans.Concurrency;

namespace FlowActors.Streaming;

/// <summary>
/// One queue of a fast-streams provider, keyed <c>{provider}/{queue}</c>. Producers on any silo or client enqueue
/// here; the pulling agent that owns the queue, wherever it runs, long-polls it.
/// </summary>
[Alias("FlowActors.IFastStreamQueueGrain")]
internal interface IFastStreamQueueGrain : IGrainWithStringKey
{
    /// <summary>Appends a message (its sequence number is assigned here) and wakes a waiting reader.</summary>
    [Alias("Enqueue")]
    Task Enqueue(FastStreamMessage message);

    /// <summary>
    /// Takes up to <paramref name="maxCount"/> messages after removing those up to <paramref name="acknowledgedUpTo"/>;
    /// on an empty queue waits up to <paramref name="maxWait"/> for an enqueue. A <paramref name="reader"/> the grain
    /// has not seen before gets the unacknowledged messages again, so a read lost in flight loses no message.
    /// </summary>
    [Alias("Dequeue"), AlwaysInterleave]
    Task<List<FastStreamMessage>> Dequeue(Guid reader, long acknowledgedUpTo, int maxCount, TimeSpan maxWait, CancellationToken cancellationToken = default);

    /// <summary>Removes the messages up to <paramref name="acknowledgedUpTo"/>: a reader's last word before it shuts down.</summary>
    [Alias("Acknowledge"), AlwaysInterleave, OneWay]
    Task Acknowledge(long acknowledgedUpTo);
}
