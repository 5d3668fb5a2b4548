using System.Diagnostics.CodeAnalysis;

namespace FlowActors.ComponentProtocol;

/// <summary>
/// The named credential a step hands its component with every call (<c>credential</c> in the invoke request), as it
/// is at that moment: a rotation reaches the next call. Only in the request body: never in the component's environment
/// or command line. Its text never shows a value, whoever formats it.
/// </summary>
/// <param name="Id">The credential's name.</param>
/// <param name="Revision">Goes up with every change of the credential: key anything derived from it (a token, a client) by it.</param>
/// <param name="Fields">Field name → value.</param>
public sealed record ProtocolCredential(string Id, long Revision, IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>The value of <paramref name="field"/>; throws, naming the field and those the credential has, when it has none.</summary>
    public string this[string field] => TryGet(field, out var value)
        ? value
        : throw new KeyNotFoundException($"Credential '{Id}' has no field '{field}'; it has: {string.Join(", ", Fields.Keys)}. Set it with PATCH /api/credentials/{Id}.");

    /// <summary>The value of <paramref name="field"/>, when the credential has it.</summary>
    public bool TryGet(string field, [NotNullWhen(true)] out string? value) => Fields.TryGetValue(field, out value);

    /// <summary>
    /// <paramref name="text"/> without any of the credential's values: a client library's exception may quote a URL or
    /// a header with a key in it, and error texts go to the platform's log and the execution's error.
    /// </summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var value in Fields.Values.Where(v => v.Length > 0))
        {
            text = text.Replace(value, "***", StringComparison.Ordinal);
        }

        return text;
    }

    public override string ToString() => $"ProtocolCredential {{ Id = {Id}, Revision = {Revision}, Fields = [{string.Join(", ", Fields.Keys)}] (values not shown) }}";
}
