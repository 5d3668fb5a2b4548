using System.Security.Cryptography.X509Certificates;

namespace FlowActors.Client.Hosting;

/// <summary>
/// The certificate a cluster member (silo or SDK client) presents, and the authority whose certificates it trusts:
/// silos and clients authenticate each other with mutual TLS. Bound from <c>FlowActors:Client:Tls</c> (the SDK) and
/// <c>FlowActors:Silo:Tls</c> (a silo). Give the certificate either as a file or as a thumbprint in a certificate store.
/// </summary>
public class ClusterCertificateOptions
{
    /// <summary>
    /// A PKCS#12 file (<c>.pfx</c>/<c>.p12</c>) holding this member's certificate and private key; a relative path
    /// starts at the host's content root. Authority certificates in the same file are trusted when
    /// <see cref="CertificateAuthorityPath"/> is empty (the embedded silo writes its client certificate that way).
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The password of <see cref="CertificatePath"/>, if it has one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Instead of a file: the thumbprint of a certificate with its private key in the <c>My</c> store of <see cref="CertificateStoreLocation"/>.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>Where <see cref="CertificateThumbprint"/> is looked up.</summary>
    public StoreLocation CertificateStoreLocation { get; set; } = StoreLocation.CurrentUser;

    /// <summary>
    /// A PEM file with the certificate(s) of the authority that issues the cluster's certificates. Several may be listed
    /// while one authority replaces another. The authority must be the cluster's own: every certificate it issues with
    /// the right key usage is let in.
    /// </summary>
    public string? CertificateAuthorityPath { get; set; }

    /// <summary>True when a certificate is configured, as a file or a thumbprint.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(CertificateThumbprint);
}
