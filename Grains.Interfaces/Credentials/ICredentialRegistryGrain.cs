using FlowActors.Client;
namespace FlowActors.Grains.Interfaces.Credentials;

/// <summary>
/// Every named credential of the cluster: key 0 (<see cref="CredentialRegistry.Key"/>). Values are write-only: they are
/// sealed as they arrive and no method returns them; what can be read is names and when they changed. Silos keep a copy of
/// the sealed credentials (<see cref="ICredentialObserver"/>) to hand the steps that name one its values with each call;
/// a change reaches every subscribed copy before the call that made it returns.
/// </summary>
[Alias("FlowActors.ICredentialRegistryGrain")]
public interface ICredentialRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Creates the credential or changes its fields. With <paramref name="replace"/>, the credential has exactly
    /// <paramref name="values"/>' fields afterwards; without, those fields are set (or, with a null value, removed) and the
    /// others kept. Throws <see cref="ArgumentException"/> naming the field for an invalid id, name or value.
    /// </summary>
    Task<CredentialInfo> SetAsync(string credentialId, CredentialValues values, bool replace);

    /// <summary>Removes the credential; false when there was none. Steps that name it fail their next call.</summary>
    Task<bool> DeleteAsync(string credentialId);

    /// <summary>The credential's field names and when they changed, or null when there is none such.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<CredentialInfo?> GetAsync(string credentialId);

    /// <summary>Every credential (names and times only), by id.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<CredentialInfo>> ListAsync();

    /// <summary>Every credential, sealed, with the registry's version: what a silo's copy loads.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<CredentialSnapshot> GetSnapshotAsync();

    /// <summary>
    /// Subscribes <paramref name="observer"/> to changes, or renews its subscription; subscriptions not renewed within
    /// <see cref="CredentialRegistry.SubscriptionLifetime"/> end. Returns the registry's version.
    /// </summary>
    Task<long> SubscribeAsync(ICredentialObserver observer);

    /// <summary>Ends <paramref name="observer"/>'s subscription.</summary>
    Task UnsubscribeAsync(ICredentialObserver observer);
}
