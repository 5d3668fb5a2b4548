using FlowActors.Grains.Interfaces.Credentials;

namespace FlowActors.Grains.Credentials;

/// <summary>Persistent state of the <see cref="CredentialRegistryGrain"/>: every value is sealed (<see cref="Secrets.SecretSealer"/>).</summary>
[GenerateSerializer, Alias("FlowActors.CredentialRegistryState")]
public sealed class CredentialRegistryState
{
    /// <summary>Credential id → the credential, sealed.</summary>
    [Id(0)]
    public Dictionary<string, SealedCredential> Credentials { get; set; } = new();

    /// <summary>Goes up by one with every change, so that copies can tell whether they missed one.</summary>
    [Id(1)]
    public long Version { get; set; }
}
