namespace FlowActors.Grains.Components.Protocol;

/// <summary>How a call to a component failed.</summary>
[GenerateSerializer, Alias("FlowActors.ComponentFailure")]
public enum ComponentFailure
{
    /// <summary>No connection, or the connection closed without an answer: the component is not there (any more).</summary>
    Unreachable,

    /// <summary>No complete answer within the call's timeout.</summary>
    Timeout,

    /// <summary>An answer with a status other than 200 (the component refused the request).</summary>
    BadStatus,

    /// <summary>A 200 answer that is not a protocol reply.</summary>
    MalformedReply,

    /// <summary>
    /// The component does not serve the path (404 or 405): a component without the optional batch path. Its
    /// messages go one by one instead.
    /// </summary>
    NotServed,
}
