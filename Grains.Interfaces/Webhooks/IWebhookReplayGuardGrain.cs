namespace FlowActors.Grains.Interfaces.Webhooks;

/// <summary>
/// The request signatures one flow's webhook accepted recently. Key: the flow id. A signature is remembered until
/// its timestamp leaves the tolerance window, so the same signed request is accepted once, on whichever silo.
/// Only requests whose signature is valid get here.
/// </summary>
[Alias("FlowActors.IWebhookReplayGuardGrain")]
public interface IWebhookReplayGuardGrain : IGrainWithStringKey
{
    /// <summary>Remembers <paramref name="signature"/> until <paramref name="until"/> unless it was seen before.</summary>
    Task<ReplayCheck> TryRememberAsync(string signature, DateTimeOffset until);
}
