namespace FlowActors.Grains.Credentials;

/// <summary>
/// A credential opened for a step's component calls: what goes into the invoke request's <c>credential</c>. Kept in a
/// silo's memory only (<see cref="CredentialDirectory"/>); its text never shows a value.
/// </summary>
public sealed record ComponentCredential(string Id, long Revision, IReadOnlyDictionary<string, string> Fields)
{
    public override string ToString() => $"ComponentCredential {{ Id = {Id}, Revision = {Revision}, Fields = [{string.Join(", ", Fields.Keys)}] }}";
}
