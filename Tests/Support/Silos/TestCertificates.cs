using FlowActors.Client.Hosting;
using FlowActors.Silo.Hosting;

namespace FlowActors.TestSupport.Silos;

/// <summary>
/// Cluster certificates for in-process clusters, made the way the embedded silo makes its own: on first use, in a
/// <c>.flowactors/tls</c> folder (beside the test assembly), kept for later runs.
/// </summary>
public static class TestCertificates
{
    /// <summary>The folder: <c>silo.pfx</c> and <c>client.pfx</c> there bundle the authority, as a production cluster's may.</summary>
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, ".flowactors", "tls");

    private static readonly Lazy<(ClusterCredentials Silo, ClusterCredentials Client)> Credentials = new(() =>
    {
        var silo = EmbeddedCertificates.LoadOrCreate(Folder, TimeProvider.System);
        var client = ClusterTls.Load(new ClusterCertificateOptions { CertificatePath = EmbeddedCertificates.ClientFile }, Folder, "tests");
        return (silo, client);
    });

    /// <summary>The silo certificate's file, made first if need be.</summary>
    public static string SiloCertificatePath => Made(EmbeddedCertificates.SiloFile);

    /// <summary>The client certificate's file, made first if need be.</summary>
    public static string ClientCertificatePath => Made(EmbeddedCertificates.ClientFile);

    public static ClusterCredentials Silo => Credentials.Value.Silo;

    public static ClusterCredentials Client => Credentials.Value.Client;

    private static string Made(string file)
    {
        _ = Credentials.Value;
        return Path.Combine(Folder, file);
    }
}
