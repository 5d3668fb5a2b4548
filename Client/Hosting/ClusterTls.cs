using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace FlowActors.Client.Hosting;

/// <summary>
/// Mutual TLS between the members of a cluster. A member trusts exactly the certificates that the cluster's authority
/// issued, and tells silos from clients by extended key usage: a silo certificate allows server (and client)
/// authentication, a client certificate only client authentication. So a client certificate opens a gateway but not
/// the silo-to-silo port, and nothing without one opens either.
/// </summary>
public static class ClusterTls
{
    /// <summary>Extended key usage of a TLS server certificate: what a silo presents.</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>Extended key usage of a TLS client certificate: what every member presents when it connects.</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// The SDK side: present <paramref name="credentials"/> to the gateway, and talk only to a gateway whose certificate
    /// the same authority issued to a silo. (In-process test clusters use it; hosts get it from <c>AddFlowActorsClient</c>.)
    /// </summary>
    internal static IClientBuilder UseClusterTls(this IClientBuilder client, ClusterCredentials credentials) =>
        client.Configure<ClientConnectionOptions>(connections => connections.ConfigureConnection(c => c.UseClientTls(ClientTlsOptions(credentials))));

    /// <summary>TLS for a client connection to a gateway: this member's certificate, and a gateway that is a silo of the authority.</summary>
    internal static TlsOptions ClientTlsOptions(ClusterCredentials credentials) => new()
    {
        LocalCertificate = credentials.Certificate,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,

        // The TLS layer's own policy errors are not consulted: the cluster's authority is in no system store, and silos
        // are addressed by the IP address in the membership table, not by a name in their certificate.
        RemoteCertificateValidation = (certificate, chain, _) => IsTrusted(certificate, chain, credentials.Authorities, ServerAuthentication),
    };

    /// <summary>True when <paramref name="certificate"/> names <paramref name="usage"/> and chains to one of <paramref name="authorities"/>.</summary>
    public static bool IsTrusted(X509Certificate2 certificate, X509Chain? presented, X509Certificate2Collection authorities, string usage)
    {
        if (!HasUsage(certificate, usage))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // rotating the authority is how access is withdrawn
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usage));
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate); // intermediates the peer sent
            }
        }

        return chain.Build(certificate);
    }

    /// <summary>
    /// Loads what <paramref name="options"/> names. Relative paths start at <paramref name="contentRoot"/>; every
    /// error names the setting under <paramref name="section"/> and what to do.
    /// </summary>
    public static ClusterCredentials Load(ClusterCertificateOptions options, string contentRoot, string section)
    {
        var (certificate, bundled) = !string.IsNullOrWhiteSpace(options.CertificateThumbprint)
            ? (FromStore(options, section), [])
            : FromFile(options, contentRoot, section);
        var authorities = string.IsNullOrWhiteSpace(options.CertificateAuthorityPath)
            ? bundled
            : AuthoritiesFromPem(Path.GetFullPath(options.CertificateAuthorityPath, contentRoot), section);
        if (authorities.Count == 0)
        {
            throw Invalid(section, $"{section}:CertificateAuthorityPath is empty and the certificate comes with no authority certificate; set it to a PEM file with the certificate of the cluster's authority.");
        }

        if (!HasUsage(certificate, ClientAuthentication))
        {
            throw Invalid(section, $"The certificate of {section} ({certificate.Subject}) does not allow client authentication (extended key usage {ClientAuthentication}); every cluster member presents one that does.");
        }

        return new ClusterCredentials(certificate, authorities);
    }

    /// <summary>True when <paramref name="certificate"/> lists <paramref name="usage"/> among its extended key usages.</summary>
    public static bool HasUsage(X509Certificate2 certificate, string usage) =>
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == usage));

    private static (X509Certificate2, X509Certificate2Collection) FromFile(ClusterCertificateOptions options, string contentRoot, string section)
    {
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            throw Invalid(section, $"{section}:CertificatePath is empty. The cluster lets in only members with a certificate from its authority: point it at a PKCS#12 file " +
                "(`dotnet run --project Silo` writes one for clients to Silo/.flowactors/tls/client.pfx), or set " +
                $"{section}:CertificateThumbprint to a certificate in the store.");
        }

        var path = Path.GetFullPath(options.CertificatePath, contentRoot);
        if (!File.Exists(path))
        {
            throw Invalid(section, $"{section}:CertificatePath is '{path}', which does not exist. The embedded silo writes its client certificate " +
                "to Silo/.flowactors/tls/client.pfx when it first starts: start the silo first, or point the setting at your certificate.");
        }

        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, options.CertificatePassword);
        }
        catch (CryptographicException e)
        {
            throw Invalid(section, $"{section}:CertificatePath '{path}' could not be opened as a PKCS#12 file with {section}:CertificatePassword: {e.Message}");
        }

        var certificate = all.FirstOrDefault(c => c.HasPrivateKey && !IsAuthority(c))
            ?? throw Invalid(section, $"{section}:CertificatePath '{path}' holds no certificate with its private key.");
        var bundled = new X509Certificate2Collection();
        bundled.AddRange(all.Where(IsAuthority).ToArray());
        return (certificate, bundled);
    }

    private static X509Certificate2 FromStore(ClusterCertificateOptions options, string section)
    {
        using var store = new X509Store(StoreName.My, options.CertificateStoreLocation);
        store.Open(OpenFlags.ReadOnly);
        var found = store.Certificates.Find(X509FindType.FindByThumbprint, options.CertificateThumbprint!.Trim(), validOnly: false);
        return found.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw Invalid(section, $"{section}:CertificateThumbprint '{options.CertificateThumbprint}' matches no certificate with a private key in {options.CertificateStoreLocation}/My.");
    }

    private static X509Certificate2Collection AuthoritiesFromPem(string path, string section)
    {
        if (!File.Exists(path))
        {
            throw Invalid(section, $"{section}:CertificateAuthorityPath is '{path}', which does not exist.");
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw Invalid(section, $"{section}:CertificateAuthorityPath '{path}' is not a PEM file of certificates: {e.Message}");
        }

        return authorities.Count > 0 ? authorities : throw Invalid(section, $"{section}:CertificateAuthorityPath '{path}' holds no certificate.");
    }

    private static bool IsAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(e => e.CertificateAuthority);

    private static OptionsValidationException Invalid(string section, string message) =>
        new(section, typeof(ClusterCertificateOptions), [message]);
}
