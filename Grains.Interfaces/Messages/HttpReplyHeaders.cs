using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Messages;

/// <summary>Headers of a <see cref="FlowEventKind.HttpReply"/> message that carry the HTTP parts of the reply.</summary>
public static class HttpReplyHeaders
{
    /// <summary>The HTTP status code, as decimal digits.</summary>
    public const string Status = ":status";
}
