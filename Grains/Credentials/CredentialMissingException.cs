namespace FlowActors.Grains.Credentials;

/// <summary>A step names a credential that does not exist (it was deleted after the flow was saved).</summary>
[GenerateSerializer, Alias("FlowActors.CredentialMissingException")]
public sealed class CredentialMissingException(string credentialId)
    : Exception($"Credential '{credentialId}' does not exist (deleted?). Set it again with PUT /api/credentials/{credentialId}, or change the step.")
{
    [Id(0)]
    public string CredentialId { get; } = credentialId;
}
