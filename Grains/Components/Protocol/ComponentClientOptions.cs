namespace FlowActors.Grains.Components.Protocol;

/// <summary>How the platform talks to components (<see cref="ComponentClient"/>).</summary>
public sealed class ComponentClientOptions
{
    /// <summary>How long opening a connection may take (a loopback connect takes well under a millisecond).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an idle keep-alive connection to a component stays open for the next call.</summary>
    public TimeSpan PooledConnectionIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Larger replies fail as <see cref="ComponentFailure.MalformedReply"/> instead of filling the silo's memory.</summary>
    public int MaxReplyBytes { get; set; } = 16 * 1024 * 1024;
}
