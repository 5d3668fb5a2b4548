using System.Security.Cryptography;
using System.Text;
using FlowActors.Grains.Interfaces.Secrets;
using Microsoft.AspNetCore.DataProtection;

namespace FlowActors.Grains.Secrets;

/// <summary>
/// Seals the secrets grains keep (webhook secrets, Service Bus connection strings, credentials) before they reach grain
/// storage, and opens them again, with ASP.NET Core Data Protection: authenticated encryption under the cluster's key
/// ring, which the hosting profile keeps (the data folder, or blob storage protected by the cluster's certificate).
/// Every secret is sealed for a purpose that names what it belongs to (a flow's webhook, a credential's field), so a
/// sealed value copied to another place in storage does not open there.
/// </summary>
public sealed class SecretSealer(IDataProtectionProvider protection)
{
    /// <summary>The Data Protection application name of every silo: keys and sealed secrets are shared under it.</summary>
    public const string ApplicationName = "FlowActors";

    /// <summary>A flow's webhook secret.</summary>
    public SealedSecret SealWebhookSecret(string flowId, byte[] secret) => new(Protector(SecretPurposes.Webhook, flowId).Protect(secret));

    public byte[] OpenWebhookSecret(string flowId, SealedSecret sealedSecret) => Open(sealedSecret, SecretPurposes.Webhook, flowId);

    /// <summary>A flow's Service Bus trigger connection string.</summary>
    public SealedSecret SealConnectionString(string flowId, string connectionString) =>
        new(Protector(SecretPurposes.ServiceBusConnection, flowId).Protect(Encoding.UTF8.GetBytes(connectionString)));

    public string OpenConnectionString(string flowId, SealedSecret sealedSecret) =>
        Encoding.UTF8.GetString(Open(sealedSecret, SecretPurposes.ServiceBusConnection, flowId));

    /// <summary>One field of a credential.</summary>
    public SealedSecret SealCredentialField(string credentialId, string field, string value) =>
        new(Protector(SecretPurposes.Credential, credentialId, field).Protect(Encoding.UTF8.GetBytes(value)));

    public string OpenCredentialField(string credentialId, string field, SealedSecret sealedSecret) =>
        Encoding.UTF8.GetString(Open(sealedSecret, SecretPurposes.Credential, credentialId, field));

    private IDataProtector Protector(string purpose, params string[] subPurposes) => protection.CreateProtector(purpose, subPurposes);

    private byte[] Open(SealedSecret sealedSecret, string purpose, params string[] subPurposes)
    {
        ArgumentNullException.ThrowIfNull(sealedSecret);
        try
        {
            return Protector(purpose, subPurposes).Unprotect(sealedSecret.Ciphertext);
        }
        catch (CryptographicException e)
        {
            // Data Protection's message names the key id when the key is missing: enough to find it, nothing of the secret.
            throw new SecretUnreadableException(
                $"A stored secret ({purpose}) cannot be opened with this silo's key ring: {e.Message} Every silo of the cluster must share the key ring " +
                "(docs/security.md, \"Secrets at rest\"); if it was lost, set the secret again.", e);
        }
    }
}

/// <summary>The purposes secrets are sealed for; changing one makes every stored secret of that kind unreadable.</summary>
internal static class SecretPurposes
{
    public const string Webhook = "FlowActors.Webhooks.Secret.v1";
    public const string ServiceBusConnection = "FlowActors.Triggers.ServiceBus.ConnectionString.v1";
    public const string Credential = "FlowActors.Credentials.Field.v1";
}
