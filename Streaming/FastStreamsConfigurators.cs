using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace FlowActors.Streaming;

/// <summary>Configuration builder of a fast-streams provider, on a silo or a client.</summary>
public interface IFastStreamsConfigurator : INamedServiceConfigurator;

/// <summary>Silo-side configuration builder of a fast-streams provider (pulling agent, balancing, pub/sub as for any persistent stream).</summary>
public interface ISiloFastStreamsConfigurator : IFastStreamsConfigurator, ISiloPersistentStreamConfigurator;

/// <summary>Client-side configuration builder of a fast-streams provider.</summary>
public interface IClusterClientFastStreamsConfigurator : IFastStreamsConfigurator, IClusterClientPersistentStreamConfigurator;

/// <summary>Options of a fast-streams provider.</summary>
public static class FastStreamsConfiguratorExtensions
{
    /// <summary>Sets <see cref="FastStreamsOptions"/> of this provider.</summary>
    public static TConfigurator ConfigureFastStreams<TConfigurator>(this TConfigurator configurator, Action<FastStreamsOptions> configure)
        where TConfigurator : IFastStreamsConfigurator
    {
        configurator.Configure<FastStreamsOptions>(options => options.Configure(configure));
        return configurator;
    }

    internal static void AddFastStreamsOptions(this IServiceCollection services, string name)
    {
        services.AddOptions<FastStreamsOptions>(name);
        services.ConfigureNamedOptionForLogging<FastStreamsOptions>(name);
        services.AddSingleton<IConfigurationValidator>(sp =>
            new FastStreamsOptionsValidator(sp.GetRequiredService<IOptionsMonitor<FastStreamsOptions>>().Get(name), name));
    }
}

internal sealed class SiloFastStreamsConfigurator : SiloPersistentStreamConfigurator, ISiloFastStreamsConfigurator
{
    public SiloFastStreamsConfigurator(string name, Action<Action<IServiceCollection>> configureServices)
        : base(name, configureServices, FastStreamAdapterFactory.Create)
    {
        ConfigureDelegate(services =>
        {
            services.AddFastStreamsOptions(name);

            // Registered before anything the caller configures, so an explicit ConfigurePullingAgent still wins.
            services.AddOptions<StreamPullingAgentOptions>(name)
                .Configure<IOptionsMonitor<FastStreamsOptions>>((agent, fast) => agent.GetQueueMsgsTimerPeriod = fast.Get(name).PullingPeriod);
        });
    }
}

internal sealed class ClusterClientFastStreamsConfigurator : ClusterClientPersistentStreamConfigurator, IClusterClientFastStreamsConfigurator
{
    public ClusterClientFastStreamsConfigurator(string name, IClientBuilder builder)
        : base(name, builder, FastStreamAdapterFactory.Create)
    {
        ConfigureDelegate(services => services.AddFastStreamsOptions(name));
    }
}
