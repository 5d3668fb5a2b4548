namespace FlowActors.Streaming;

/// <summary>What a producer put on a stream in one call: its events and the request context to restore on delivery.</summary>
[GenerateSerializer, Alias("FlowActors.FastStreamPayload")]
internal sealed record FastStreamPayload(
    [property: Id(0)] List<object> Events,
    [property: Id(1)] Dictionary<string, object>? RequestContext);
