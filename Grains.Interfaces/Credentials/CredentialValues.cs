namespace FlowActors.Grains.Interfaces.Credentials;

/// <summary>
/// Values to set on a credential, by field name (a null value removes the field when merging). Write-only: it is sealed
/// on arrival, and its text never shows a value, whoever formats it (a log line, an exception, a debugger).
/// </summary>
[GenerateSerializer, Immutable, Alias("FlowActors.CredentialValues")]
public sealed record CredentialValues([property: Id(0)] IReadOnlyDictionary<string, string?> Fields)
{
    public override string ToString() => $"CredentialValues {{ Fields = [{string.Join(", ", Fields.Keys)}] (values not shown) }}";
}
