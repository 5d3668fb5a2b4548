using FlowActors.Client;
using FlowActors.Grains.Interfaces.Secrets;

namespace FlowActors.Grains.Interfaces.Credentials;

/// <summary>
/// A credential as it is stored and as silos' copies hold it: each field's value sealed for this credential and field.
/// </summary>
/// <param name="Id">The credential's name.</param>
/// <param name="Fields">Field name → sealed value.</param>
/// <param name="FieldsChangedAt">Field name → when its value was last set.</param>
/// <param name="CreatedAt">When the credential was first set.</param>
/// <param name="Revision">Goes up by one with every change of this credential; steps hand it to components, which may key caches by it.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.SealedCredential")]
public sealed record SealedCredential(
    [property: Id(0)] string Id,
    [property: Id(1)] Dictionary<string, SealedSecret> Fields,
    [property: Id(2)] Dictionary<string, DateTimeOffset> FieldsChangedAt,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] long Revision)
{
    /// <summary>What may be shown of it: names and times.</summary>
    public CredentialInfo Describe() => new(
        Id,
        [.. Fields.Keys.Order(StringComparer.Ordinal).Select(name => new CredentialFieldInfo(name, FieldsChangedAt[name]))],
        CreatedAt,
        FieldsChangedAt.Count == 0 ? CreatedAt : FieldsChangedAt.Values.Max(),
        Revision);
}
