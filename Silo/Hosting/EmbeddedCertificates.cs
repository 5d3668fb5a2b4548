using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FlowActors.Client.Hosting;

namespace FlowActors.Silo.Hosting;

/// <summary>
/// The embedded profile's cluster certificates, made on first start in the silo's data folder (<c>.flowactors/tls</c>),
/// every file readable only by its owner, like the admin key:
/// <list type="bullet">
/// <item><c>ca.pem</c>, <c>ca.key</c>: the cluster's own certificate authority (ECDSA P-256, 10 years);</item>
/// <item><c>silo.pfx</c>: the silo's certificate (server and client authentication) and key, with <c>ca.pem</c>;</item>
/// <item><c>client.pfx</c>: a client certificate (client authentication only) and key, with <c>ca.pem</c>: what the SDK presents.</item>
/// </list>
/// A cluster authority rather than one shared certificate, so that a client certificate lets a service use the gateway
/// but never join as a silo, and a silo certificate can be replaced without touching the clients. Certificates that
/// are missing or expire within <see cref="RenewBefore"/> are issued again at start; deleting the folder replaces the
/// authority, which shuts out every certificate issued before.
/// </summary>
public static class EmbeddedCertificates
{
    public const string AuthorityFile = "ca.pem";
    public const string AuthorityKeyFile = "ca.key";
    public const string SiloFile = "silo.pfx";
    public const string ClientFile = "client.pfx";

    public static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan CertificateLifetime = TimeSpan.FromDays(397);
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The silo's credentials from <paramref name="folder"/>, creating or renewing what is needed first.</summary>
    public static ClusterCredentials LoadOrCreate(string folder, TimeProvider time)
    {
        if (!Directory.Exists(folder))
        {
            CreateFolder(folder, time);
        }

        var authority = LoadAuthority(folder, time);
        foreach (var (file, usages) in new[] { (SiloFile, SiloUsages), (ClientFile, ClientUsages) })
        {
            if (NeedsIssuing(Path.Combine(folder, file), time))
            {
                Write(Path.Combine(folder, file), Issue(authority, file, usages, time), replace: true);
            }
        }

        return ClusterTls.Load(new ClusterCertificateOptions { CertificatePath = Path.Combine(folder, SiloFile) }, folder, SiloHostOptions.Section + ":Tls");
    }

    private static string[] SiloUsages => [ClusterTls.ServerAuthentication, ClusterTls.ClientAuthentication];

    private static string[] ClientUsages => [ClusterTls.ClientAuthentication];

    /// <summary>
    /// Made in a sibling folder and moved into place in one step, so two silos starting at once from the same folder
    /// never mix files of two authorities: the second move fails and that silo uses what the first one made.
    /// </summary>
    private static void CreateFolder(string folder, TimeProvider time)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(folder))!;
        CreateOwnerOnlyDirectory(parent); // the data folder, when certificates are the first thing made in it: owner-only, as for the key
        var staging = Path.Combine(parent, $".tls-{Guid.NewGuid():N}");
        CreateOwnerOnlyDirectory(staging);
        try
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=FlowActors cluster authority", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
            var now = time.GetUtcNow();
            using var authority = request.CreateSelfSigned(now.AddMinutes(-5), now + AuthorityLifetime);
            Write(Path.Combine(staging, AuthorityFile), System.Text.Encoding.ASCII.GetBytes(authority.ExportCertificatePem() + "\n"), replace: false);
            Write(Path.Combine(staging, AuthorityKeyFile), System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem() + "\n"), replace: false);
            Directory.Move(staging, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            Directory.Delete(staging, recursive: true); // another silo made it first
        }
    }

    private static X509Certificate2 LoadAuthority(string folder, TimeProvider time)
    {
        var authority = X509Certificate2.CreateFromPemFile(Path.Combine(folder, AuthorityFile), Path.Combine(folder, AuthorityKeyFile));
        if (authority.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime < RenewBefore)
        {
            throw new InvalidOperationException(
                $"The cluster authority in '{folder}' expires on {authority.NotAfter:u}. Delete the folder to have a new one made at the next start, " +
                $"then give clients the new {ClientFile}.");
        }

        return authority;
    }

    private static bool NeedsIssuing(string path, TimeProvider time)
    {
        if (!File.Exists(path))
        {
            return true;
        }

        var certificate = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password: null).First(c => c.HasPrivateKey);
        return certificate.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime < RenewBefore;
    }

    private static byte[] Issue(X509Certificate2 authority, string file, string[] usages, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = $"CN=flowactors-{Path.GetFileNameWithoutExtension(file)}";
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var oids = new OidCollection();
        foreach (var usage in usages)
        {
            oids.Add(new Oid(usage));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = time.GetUtcNow();
        var authorityEnds = new DateTimeOffset(authority.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = now + CertificateLifetime < authorityEnds ? now + CertificateLifetime : authorityEnds;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        using var issued = request.Create(authority, now.AddMinutes(-5), notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        using var authorityOnly = X509CertificateLoader.LoadCertificate(authority.RawData);
        return new X509Certificate2Collection { withKey, authorityOnly }.Export(X509ContentType.Pkcs12)!;
    }

    /// <summary>Written to a new owner-only file and moved over the old one, so a reader never sees half a file.</summary>
    private static void Write(string path, byte[] content, bool replace)
    {
        var staging = replace ? $"{path}.{Guid.NewGuid():N}.tmp" : path;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using (var stream = new FileStream(staging, options))
        {
            stream.Write(content);
        }

        if (replace)
        {
            File.Move(staging, path, overwrite: true);
        }
    }

    private static void CreateOwnerOnlyDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
