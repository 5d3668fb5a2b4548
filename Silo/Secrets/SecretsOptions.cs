namespace FlowActors.Silo.Secrets;

/// <summary>
/// Where the Data Protection key ring that seals stored secrets is kept and what protects it (<c>FlowActors:Secrets</c>).
/// The embedded profile keeps it in <c>keys/</c> beside its database (owner-only); the Azure profile in blob storage,
/// each key encrypted with the cluster's certificate: the silo's own unless <see cref="KeyRingCertificatePath"/> names
/// another that every silo shares.
/// </summary>
public sealed class SecretsOptions
{
    public const string Section = "FlowActors:Secrets";

    /// <summary>
    /// Azure profile: a PKCS#12 file with the certificate (and private key) that protects the key ring, when the silos
    /// do not all present the same silo certificate. Relative paths start at the content root. Empty: the silo's certificate.
    /// </summary>
    public string? KeyRingCertificatePath { get; set; }

    /// <summary>The password of <see cref="KeyRingCertificatePath"/>, if it has one.</summary>
    public string? KeyRingCertificatePassword { get; set; }
}
