namespace FlowActors.Client.Hosting;

/// <summary>
/// How the SDK reaches a FlowActors cluster. Bound from <c>FlowActors:Client</c>. The stream provider is not here: the
/// client reads <c>FlowActors:Streams</c>, the section the silos read, so that both always use the same one.
/// </summary>
public sealed class FlowActorsClientOptions
{
    public const string Section = "FlowActors:Client";

    /// <summary>
    /// How gateways are found: a silo on this machine, or the cluster's Azure Table. Chosen when
    /// <see cref="FlowActorsClientHostingExtensions.AddFlowActorsClient"/> runs: set it in configuration or in its delegate.
    /// </summary>
    public FlowActorsClustering Clustering { get; set; } = FlowActorsClustering.Localhost;

    /// <summary>The local silo's gateway port (<see cref="FlowActorsClustering.Localhost"/> only); the Silo's default is 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Must match the silos' <c>ClusterId</c>.</summary>
    public string ClusterId { get; set; } = "dev";

    /// <summary>Must match the silos' <c>ServiceId</c>.</summary>
    public string ServiceId { get; set; } = "flowactors";

    /// <summary>
    /// Connection string of the storage account whose table holds the cluster's membership
    /// (<see cref="FlowActorsClustering.AzureTable"/> only); <c>UseDevelopmentStorage=true</c> for Azurite.
    /// </summary>
    public string? AzureTableConnectionString { get; set; }

    /// <summary>
    /// Instead of <see cref="AzureTableConnectionString"/>: the table service URI (e.g.
    /// <c>https://ACCOUNT.table.core.windows.net/</c>), reached with <c>DefaultAzureCredential</c>.
    /// </summary>
    public Uri? AzureTableServiceUri { get; set; }

    /// <summary>Must match the silos' <c>FlowActors:Azure:ResourcePrefix</c>: it names the membership table (<see cref="AzureResourceNames"/>).</summary>
    public string AzureResourcePrefix { get; set; } = AzureResourceNames.DefaultPrefix;

    /// <summary>How long <see cref="IFlowActorsClient.SendAndWaitAsync"/> waits when no timeout is given.</summary>
    public TimeSpan ReplyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Events <see cref="IFlowActorsClient.FollowAsync"/> buffers for a reader that has not caught up; one that falls
    /// further behind gets <see cref="FollowOverflowException"/>.
    /// </summary>
    public int FollowBufferCapacity { get; set; } = 1000;

    /// <summary>
    /// The client certificate presented to the gateway, and the cluster's authority (<c>FlowActors:Client:Tls</c>).
    /// Required by <c>AddFlowActorsClient</c>: gateways refuse clients without one.
    /// </summary>
    public ClusterCertificateOptions Tls { get; set; } = new();
}
