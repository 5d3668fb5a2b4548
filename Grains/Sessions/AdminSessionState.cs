namespace FlowActors.Grains.Sessions;

/// <summary>Persistent state of an <see cref="AdminSessionGrain"/>: when it ends, or null when it is not active.</summary>
[GenerateSerializer, Alias("FlowActors.AdminSessionState")]
public sealed class AdminSessionState
{
    [Id(0)]
    public DateTimeOffset? ExpiresAt { get; set; }
}
