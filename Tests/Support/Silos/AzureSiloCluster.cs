using Azure.Data.Tables;
using FlowActors.Client.Hosting;

namespace FlowActors.TestSupport.Silos;

/// <summary>
/// Real <c>Silo</c> processes in the Azure profile against Azurite, on loopback ports, forming one cluster through
/// the membership table. Each instance has a cluster id and a resource prefix of its own, so that its tables,
/// blobs and queues are its alone; <see cref="StartAsync"/> again with the same identity is a restart of the cluster.
/// </summary>
public sealed class AzureSiloCluster : IAsyncDisposable
{
    private AzureSiloCluster(string connectionString, string prefix, string clusterId, IReadOnlyList<SiloProcess> silos)
    {
        ConnectionString = connectionString;
        Prefix = prefix;
        ClusterId = clusterId;
        Silos = silos;
    }

    public string ConnectionString { get; }

    public string Prefix { get; }

    public string ClusterId { get; }

    public IReadOnlyList<SiloProcess> Silos { get; private set; }

    /// <summary>Starts <paramref name="count"/> silos of a new cluster (or of <paramref name="identity"/>'s, to restart it).</summary>
    /// <param name="settings">Settings after the cluster's own (local-process components), which they override.</param>
    public static async Task<AzureSiloCluster> StartAsync(int count, AzureSiloCluster? identity = null, params string[] settings)
    {
        _ = TestCertificates.Silo; // made before the silos start, which read them
        var connectionString = await Azurite.EnsureAsync();
        var prefix = identity?.Prefix ?? Azurite.NewPrefix();
        var clusterId = identity?.ClusterId ?? $"c-{prefix}";
        var silos = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => StartSiloAsync(connectionString, prefix, clusterId, settings)));
        return new AzureSiloCluster(connectionString, prefix, clusterId, silos);
    }

    /// <summary>The silos of this cluster that the membership table lists as active.</summary>
    public async Task<IReadOnlyList<string>> ActiveSilosAsync()
    {
        var table = new TableServiceClient(ConnectionString).GetTableClient(new AzureResourceNames(Prefix).MembershipTable);
        var active = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == ClusterId))
        {
            if (row.GetString("Status") == "Active")
            {
                active.Add($"{row["Address"]}:{row["Port"]}");
            }
        }

        return active;
    }

    /// <summary>Waits (bounded) until the membership table lists exactly <paramref name="count"/> active silos.</summary>
    public async Task WaitForActiveAsync(int count, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<string> active;
        while ((active = await ActiveSilosAsync()).Count != count)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The membership table lists {active.Count} active silos, not {count}, after {timeout}: {string.Join(", ", active)}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Options for an SDK client that finds this cluster through its membership table.</summary>
    public void ConfigureClient(FlowActorsClientOptions options)
    {
        options.Clustering = FlowActorsClustering.AzureTable;
        options.AzureTableConnectionString = ConnectionString;
        options.AzureResourcePrefix = Prefix;
        options.ClusterId = ClusterId;
        options.Tls.CertificatePath = TestCertificates.ClientCertificatePath;
    }

    /// <summary>Stops every silo with SIGTERM, as an operator stopping the cluster would.</summary>
    public async Task StopAsync()
    {
        var exits = await Task.WhenAll(Silos.Select(s => s.StopAsync(TimeSpan.FromSeconds(60))));
        Check.That(exits.All(e => e == 0), $"exit codes: {string.Join(", ", exits)}");
        await DisposeAsync();
    }

    private static Task<SiloProcess> StartSiloAsync(string connectionString, string prefix, string clusterId, string[] settings) => SiloProcess.StartAsync(
        [
            "--FlowActors:Profile=Azure",
            $"--FlowActors:Azure:ConnectionString={connectionString}",
            $"--FlowActors:Azure:ResourcePrefix={prefix}",
            $"--FlowActors:Silo:ClusterId={clusterId}",
            "--FlowActors:Silo:AdvertisedAddress=127.0.0.1",
            "--FlowActors:Containers:Kind=Process",
            $"--FlowActors:Silo:Tls:CertificatePath={TestCertificates.SiloCertificatePath}", // one authority for the cluster, configured as in production
            .. settings,
        ]);

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            await silo.DisposeAsync();
        }

        Silos = [];
    }
}
