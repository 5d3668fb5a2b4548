namespace FlowActors.Grains.Interfaces.Credentials;

/// <summary>A silo's copy of the credentials, told of every change (<see cref="ICredentialRegistryGrain.SubscribeAsync"/>).</summary>
[Alias("FlowActors.ICredentialObserver")]
public interface ICredentialObserver : IGrainObserver
{
    /// <summary>One change: version <see cref="CredentialChange.Version"/> of the registry.</summary>
    Task OnChangedAsync(CredentialChange change);
}
