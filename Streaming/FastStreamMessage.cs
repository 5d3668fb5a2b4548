namespace FlowActors.Streaming;

/// <summary>
/// One enqueued batch of events as a queue grain keeps it. The events are serialized once by the producer, so the
/// bytes cross grain calls without deep copies and the producer cannot mutate what is queued.
/// </summary>
[GenerateSerializer, Immutable, Alias("FlowActors.FastStreamMessage")]
internal sealed record FastStreamMessage(
    [property: Id(0)] StreamId StreamId,
    [property: Id(1)] byte[] Payload,
    [property: Id(2)] long SequenceNumber);
