using FlowActors.Client.Hosting;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace FlowActors.Silo.Hosting;

/// <summary>Mutual TLS on the silo's two ports (see <see cref="ClusterTls"/> for whom each one lets in).</summary>
public static class SiloTls
{
    /// <summary>
    /// The silo's credentials: the configured certificate, or the certificates the silo makes (the embedded profile, or
    /// the Azure profile with an explicit shared <see cref="SiloTlsOptions.Folder"/>). <paramref name="generatedClientCertificate"/>
    /// is where the clients' certificate was made, or null.
    /// </summary>
    public static ClusterCredentials Load(
        SiloHostOptions host, HostingProfile profile, string contentRoot, TimeProvider time, out string? generatedClientCertificate)
    {
        const string section = SiloHostOptions.Section + ":Tls";
        var options = host.Tls;
        if (!options.IsConfigured)
        {
            if (profile != HostingProfile.Embedded && string.IsNullOrWhiteSpace(options.Folder))
            {
                throw new Microsoft.Extensions.Options.OptionsValidationException(section, typeof(SiloTlsOptions),
                    [$"{section}:CertificatePath is empty. The silos of a {profile} cluster must present certificates of one authority: configure " +
                     $"{section}:CertificatePath (or CertificateThumbprint) and {section}:CertificateAuthorityPath (docs/security.md), or, for silos " +
                     $"on one machine, {section}:Folder, a folder they all share where the first one makes them."]);
            }

            var folder = string.IsNullOrWhiteSpace(options.Folder)
                ? Path.Combine(host.DataFolderPath(contentRoot), "tls")
                : Path.GetFullPath(options.Folder, contentRoot);
            generatedClientCertificate = Path.Combine(folder, EmbeddedCertificates.ClientFile);
            return EmbeddedCertificates.LoadOrCreate(folder, time);
        }

        generatedClientCertificate = null;
        var credentials = ClusterTls.Load(options, contentRoot, section);
        return ClusterTls.HasUsage(credentials.Certificate, ClusterTls.ServerAuthentication)
            ? credentials
            : throw new Microsoft.Extensions.Options.OptionsValidationException(section, typeof(SiloTlsOptions),
                [$"The certificate of {section} ({credentials.Certificate.Subject}) does not allow server authentication (extended key usage {ClusterTls.ServerAuthentication}); a silo certificate needs both server and client authentication."]);
    }

    /// <summary>
    /// The silo port takes only silos (a certificate with server authentication), the gateway any member with a
    /// client certificate from the authority; outbound, a silo talks only to silos. Without a certificate, nothing connects.
    /// Failed handshakes are logged at a bounded rate (<see cref="SiloTlsHandshakeLog"/>).
    /// </summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, ClusterCredentials credentials)
    {
        silo.Services.AddLogging(logging => logging.AddFilter(SiloTlsHandshakeLog.OrleansTlsCategory, LogLevel.Error));
        return silo.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(c =>
            {
                c.Use(HandshakeLog(c.ApplicationServices, "silo port").Middleware());
                c.UseServerTls(Options(credentials, ClusterTls.ServerAuthentication));
            });
            connections.ConfigureSiloOutboundConnection(c => c.UseClientTls(Options(credentials, ClusterTls.ServerAuthentication)));
            connections.ConfigureGatewayInboundConnection(c =>
            {
                c.Use(HandshakeLog(c.ApplicationServices, "gateway").Middleware());
                c.UseServerTls(Options(credentials, ClusterTls.ClientAuthentication));
            });
        });
    }

    private static SiloTlsHandshakeLog HandshakeLog(IServiceProvider services, string port) => new(
        port, services.GetRequiredService<ILoggerFactory>().CreateLogger<SiloTlsHandshakeLog>(), services.GetService<TimeProvider>() ?? TimeProvider.System);

    private static TlsOptions Options(ClusterCredentials credentials, string peerUsage) => new()
    {
        LocalCertificate = credentials.Certificate,
        RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        // Chains to the cluster's authority and has the peer's key usage; names and the system store play no part.
        RemoteCertificateValidation = (certificate, chain, _) => ClusterTls.IsTrusted(certificate, chain, credentials.Authorities, peerUsage),
    };
}
