namespace FlowActors.Silo.Webhooks.Replay;

/// <summary>
/// The signatures of signed webhook requests the cluster accepted, kept durably where every silo checks them: a signed
/// request is accepted once, on whichever silo, whatever silo died since (a guard in one silo's memory forgot them with
/// it). A signature is taken when the request is checked and given back when the request is then not accepted, so a
/// sender can retry a request the cluster refused (503 while it settles). The check is an insert that storage refuses for a key it holds (SQLite's primary key, an Azure Table entity's
/// keys), so two silos taking the same signature at the same moment accept it once. A signature is kept until its
/// timestamp leaves the tolerance window (<see cref="WebhookOptions.SignatureTolerance"/>): after that the timestamp
/// check refuses it anyway, and <see cref="ReplayGuardSweeper"/> deletes it.
/// </summary>
public interface IReplayGuard
{
    /// <summary>
    /// Remembers <paramref name="signature"/> (lowercase hex) of a request to <paramref name="flowId"/> signed at
    /// <paramref name="timestamp"/> (Unix seconds); false when it was remembered before: a replay.
    /// </summary>
    Task<bool> TryRememberAsync(string flowId, string signature, long timestamp, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets a signature remembered by <see cref="TryRememberAsync"/> for a request that was then not accepted (invalid
    /// JSON, a stopped flow, a cluster settling after a silo's death): its sender may send the very same request again.
    /// </summary>
    Task ForgetAsync(string flowId, string signature, long timestamp, CancellationToken cancellationToken);

    /// <summary>Deletes the signatures whose timestamp is before <paramref name="timestamp"/> (Unix seconds); returns how many.</summary>
    Task<int> ForgetBeforeAsync(long timestamp, CancellationToken cancellationToken);
}
