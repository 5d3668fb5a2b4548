using FlowActors.Streaming;
using Orleans.TestingHost;

namespace FlowActors.Tests.Streaming;

/// <summary>An in-process cluster whose silos and client have a fast-streams provider.</summary>
internal static class FastStreamsCluster
{
    public const string Provider = "fast";

    public static async Task<InProcessTestCluster> StartAsync(short silos = 1, Action<ISiloFastStreamsConfigurator>? configure = null)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) => silo
            .AddMemoryGrainStorage("PubSubStore")
            .AddFastStreams(Provider, configure));
        builder.ConfigureClient(client => client.AddFastStreams(Provider));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public static IAsyncStream<int> Stream(this InProcessTestCluster cluster, string key) =>
        ProbeStreams.Of(cluster.Client.GetStreamProvider(Provider), key);

    public static string NewKey(string name) => $"{name}-{Guid.NewGuid():N}";
}
