using FlowActors.Client.Hosting;
using FlowActors.Silo.Hosting;

namespace FlowActors.Tests.Infrastructure;

/// <summary>
/// Cluster certificates for in-process clusters, made the way the embedded silo makes its own: on first use, in a
/// <c>.flowactors/tls</c> folder (beside the test assembly), kept for later runs.
/// </summary>
public static class TestCertificates
{
    private static readonly Lazy<(ClusterCredentials Silo, ClusterCredentials Client)> Credentials = new(() =>
    {
        var folder = Path.Combine(AppContext.BaseDirectory, ".flowactors", "tls");
        var silo = EmbeddedCertificates.LoadOrCreate(folder, TimeProvider.System);
        var client = ClusterTls.Load(new ClusterCertificateOptions { CertificatePath = EmbeddedCertificates.ClientFile }, folder, "tests");
        return (silo, client);
    });

    public static ClusterCredentials Silo => Credentials.Value.Silo;

    public static ClusterCredentials Client => Credentials.Value.Client;
}
