using Azure.Data.Tables;
using Azure.Identity;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Streaming;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace FlowActors.Client.Hosting;

/// <summary>Embeds the FlowActors SDK in a host: an Orleans client connected to the cluster, and <see cref="IFlowActorsClient"/>.</summary>
public static class FlowActorsClientHostingExtensions
{
    /// <summary>
    /// Adds an Orleans client configured from <c>FlowActors:Client</c> (then <paramref name="configure"/>) and
    /// registers <see cref="IFlowActorsClient"/>. Invalid options throw here, at start-up, naming the setting.
    /// <paramref name="configureOrleans"/> is for what the options do not cover (another stream provider, say).
    /// </summary>
    public static IHostApplicationBuilder AddFlowActorsClient(
        this IHostApplicationBuilder builder,
        Action<FlowActorsClientOptions>? configure = null,
        Action<IClientBuilder>? configureOrleans = null)
    {
        // Clustering is chosen while the host is being built, so the options are read now rather than from DI.
        var options = new FlowActorsClientOptions();
        builder.Configuration.GetSection(FlowActorsClientOptions.Section).Bind(options);
        configure?.Invoke(options);
        var result = new FlowActorsClientOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(FlowActorsClientOptions.Section, typeof(FlowActorsClientOptions), result.Failures);
        }

        var credentials = ClusterTls.Load(options.Tls, builder.Environment.ContentRootPath, $"{FlowActorsClientOptions.Section}:Tls");
        builder.UseOrleansClient(client =>
        {
            Configure(client, options);
            client.UseClusterTls(credentials);
            configureOrleans?.Invoke(client);
        });
        builder.Services.AddFlowActorsClientApi(o => Copy(options, o));
        return builder;
    }

    /// <summary>
    /// Registers <see cref="IFlowActorsClient"/> over an <see cref="IClusterClient"/> that is configured elsewhere
    /// (inside a silo, or a host that already has its Orleans client).
    /// </summary>
    public static IServiceCollection AddFlowActorsClientApi(this IServiceCollection services, Action<FlowActorsClientOptions>? configure = null)
    {
        var options = services.AddOptions<FlowActorsClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FlowActorsClientOptions>, FlowActorsClientOptionsValidator>());
        services.TryAddSingleton<IFlowActorsClient>(sp =>
            new FlowActorsClient(sp.GetRequiredService<IClusterClient>(), sp.GetRequiredService<IOptions<FlowActorsClientOptions>>().Value));
        return services;
    }

    private static void Configure(IClientBuilder client, FlowActorsClientOptions options)
    {
        client.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });
        if (options.Clustering == FlowActorsClustering.AzureTable)
        {
            client.UseAzureStorageClustering(table =>
            {
                table.TableServiceClient = string.IsNullOrWhiteSpace(options.AzureTableConnectionString)
                    ? new TableServiceClient(options.AzureTableServiceUri, new DefaultAzureCredential())
                    : new TableServiceClient(options.AzureTableConnectionString);
                table.TableName = new AzureResourceNames(options.AzureResourcePrefix).MembershipTable;
            });
        }
        else
        {
            client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
        }

        if (options.UseFastStreams)
        {
            client.AddFastStreams(FlowStreams.Provider);
        }
    }

    private static void Copy(FlowActorsClientOptions from, FlowActorsClientOptions to)
    {
        to.Clustering = from.Clustering;
        to.GatewayPort = from.GatewayPort;
        to.ClusterId = from.ClusterId;
        to.ServiceId = from.ServiceId;
        to.AzureTableConnectionString = from.AzureTableConnectionString;
        to.AzureTableServiceUri = from.AzureTableServiceUri;
        to.AzureResourcePrefix = from.AzureResourcePrefix;
        to.UseFastStreams = from.UseFastStreams;
        to.ReplyTimeout = from.ReplyTimeout;
        to.Tls = from.Tls;
    }
}
