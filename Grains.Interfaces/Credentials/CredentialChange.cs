namespace FlowActors.Grains.Interfaces.Credentials;

/// <summary>A change of the credential registry: <paramref name="Credential"/> as it is now (sealed), or null when it was removed.</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.CredentialChange")]
public sealed record CredentialChange(
    [property: Id(0)] long Version,
    [property: Id(1)] string CredentialId,
    [property: Id(2)] SealedCredential? Credential);
