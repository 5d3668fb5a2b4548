using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace FlowActors.Streaming;

/// <summary>A dequeued <see cref="FastStreamMessage"/>, as the pulling agent caches and delivers it.</summary>
[GenerateSerializer, Alias("FlowActors.FastStreamBatchContainer")]
internal sealed class FastStreamBatchContainer(StreamId streamId, EventSequenceTokenV2 sequenceToken, FastStreamPayload payload) : IBatchContainer
{
    [Id(0)]
    public StreamId StreamId { get; } = streamId;

    [Id(1)]
    public EventSequenceTokenV2 Token { get; } = sequenceToken;

    [Id(2)]
    public FastStreamPayload Payload { get; } = payload;

    public StreamSequenceToken SequenceToken => Token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() =>
        Payload.Events.Cast<T>().Select((item, index) => Tuple.Create<T, StreamSequenceToken>(item, Token.CreateSequenceTokenForEvent(index)));

    public bool ImportRequestContext()
    {
        if (Payload.RequestContext is null)
        {
            return false;
        }

        RequestContextExtensions.Import(Payload.RequestContext);
        return true;
    }

    public override string ToString() => $"{nameof(FastStreamBatchContainer)}({StreamId}, {Token})";
}
