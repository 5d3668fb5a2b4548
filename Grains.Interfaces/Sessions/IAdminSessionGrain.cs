namespace FlowActors.Grains.Interfaces.Sessions;

/// <summary>
/// One admin console login, server-side, so that logging out ends it everywhere: a signed session cookie is honoured
/// only while its grain says the session is active. Key: the session's random id (in the cookie).
/// </summary>
[Alias("FlowActors.IAdminSessionGrain")]
public interface IAdminSessionGrain : IGrainWithStringKey
{
    /// <summary>Starts the session; it lasts until <paramref name="expiresAt"/> unless ended.</summary>
    Task StartAsync(DateTimeOffset expiresAt);

    /// <summary>True while the session was started, not ended, and not expired.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<bool> IsActiveAsync();

    /// <summary>Ends the session (logout): its cookie opens nothing any more, on any silo.</summary>
    Task EndAsync();
}
