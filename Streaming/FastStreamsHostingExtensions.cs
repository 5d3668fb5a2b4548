namespace FlowActors.Streaming;

/// <summary>
/// Adds a fast-streams provider: Orleans persistent streams over in-memory queue grains whose reads wait for the
/// next enqueue, so a hop costs a grain call or two instead of a pulling period. Messages live only in memory.
/// </summary>
/// <remarks>
/// Like memory streams, the silo needs a grain storage named "PubSubStore" (or named after the provider) for
/// explicit subscriptions, e.g. <c>AddMemoryGrainStorage("PubSubStore")</c>. Silos and clients of one cluster must
/// use the same <see cref="FastStreamsOptions.QueueCount"/>.
/// </remarks>
public static class FastStreamsHostingExtensions
{
    /// <summary>Adds the fast-streams provider <paramref name="name"/> to a silo.</summary>
    public static ISiloBuilder AddFastStreams(this ISiloBuilder builder, string name, Action<ISiloFastStreamsConfigurator>? configure = null)
    {
        // The constructor registers every component of the provider, so it runs even without a configure delegate.
        var configurator = new SiloFastStreamsConfigurator(name, services => builder.ConfigureServices(services));
        configure?.Invoke(configurator);
        return builder;
    }

    /// <summary>Adds the fast-streams provider <paramref name="name"/> to a client, which can then produce on it.</summary>
    public static IClientBuilder AddFastStreams(this IClientBuilder builder, string name, Action<IClusterClientFastStreamsConfigurator>? configure = null)
    {
        var configurator = new ClusterClientFastStreamsConfigurator(name, builder);
        configure?.Invoke(configurator);
        return builder;
    }
}
