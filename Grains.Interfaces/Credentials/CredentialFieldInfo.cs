namespace FlowActors.Client;

/// <summary>One field of a credential: its name and when its value was last set (the value is never shown).</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.CredentialFieldInfo")]
public sealed record CredentialFieldInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] DateTimeOffset ChangedAt);
