namespace FlowActors.ComponentProtocol;

/// <summary>The values of <see cref="Emit.Kind"/>.</summary>
public static class EmitKinds
{
    public const string Data = "data";
    public const string Error = "error";
    public const string Snapshot = "snapshot";
    public const string HttpReply = "httpReply";
    public const string Rebound = "rebound";
    public const string Poison = "poison";
}
