namespace FlowActors.Client;

/// <summary>What a <see cref="FlowEvent"/> reports.</summary>
[GenerateSerializer, Alias("FlowActors.FlowEventKind")]
public enum FlowEventKind
{
    /// <summary>A step with no next step emitted data: an output of the flow.</summary>
    Output = 0,

    /// <summary>A step could not process a message.</summary>
    Error = 1,

    /// <summary>A step asked for an HTTP reply to the request that started the execution.</summary>
    HttpReply = 2,
}
