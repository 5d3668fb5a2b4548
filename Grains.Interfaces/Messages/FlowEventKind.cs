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

    /// <summary>
    /// An output of a step whose edges have conditions took none of them: its branch ends there. <see cref="FlowEvent.Message"/>
    /// is the output, and its path's last hop says where it was (with no next step).
    /// </summary>
    Unrouted = 3,
}
