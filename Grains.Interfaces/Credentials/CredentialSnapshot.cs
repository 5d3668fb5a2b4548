namespace FlowActors.Grains.Interfaces.Credentials;

/// <summary>Every credential (id → sealed credential) as of registry version <paramref name="Version"/>.</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.CredentialSnapshot")]
public sealed record CredentialSnapshot(
    [property: Id(0)] long Version,
    [property: Id(1)] Dictionary<string, SealedCredential> Credentials);
