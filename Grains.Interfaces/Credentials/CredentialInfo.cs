namespace FlowActors.Client;

/// <summary>What may be known of a credential: its fields' names and when they changed, never their values.</summary>
/// <param name="Id">The credential's name, as steps name it (<c>credential</c> on a step).</param>
/// <param name="Fields">Its fields, by name.</param>
/// <param name="CreatedAt">When it was first set.</param>
/// <param name="ChangedAt">When a field was last set (or the credential created).</param>
/// <param name="Revision">Goes up by one with every change: a component sees the same number with each call.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.CredentialInfo")]
public sealed record CredentialInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] IReadOnlyList<CredentialFieldInfo> Fields,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset ChangedAt,
    [property: Id(4)] long Revision);
