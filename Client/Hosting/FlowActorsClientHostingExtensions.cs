using Azure.Data.Tables;
using Azure.Identity;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Streaming;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Clustering.AzureStorage;
using Orleans.Configuration;

namespace FlowActors.Client.Hosting;

/// <summary>Embeds the FlowActors SDK in a host: an Orleans client connected to the cluster, and <see cref="IFlowActorsClient"/>.</summary>
public static class FlowActorsClientHostingExtensions
{
    /// <summary>
    /// Adds an Orleans client connected to the cluster that <c>FlowActors:Client</c> (then <paramref name="configure"/>)
    /// describes, with the stream provider <c>FlowActors:Streams</c> names (the section the silos read), and registers
    /// <see cref="IFlowActorsClient"/>. The options are read from dependency injection when the host starts and
    /// validated then, errors naming the setting; the builder returned configures them further. For Orleans settings
    /// these options do not cover, call <c>builder.UseOrleansClient(...)</c> as well: it configures the same client.
    /// </summary>
    public static OptionsBuilder<FlowActorsClientOptions> AddFlowActorsClient(
        this IHostApplicationBuilder builder, Action<FlowActorsClientOptions>? configure = null)
    {
        var options = builder.Services.AddFlowActorsClientApi();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // Which gateway list provider to register must be known now; every value it uses is read later, from DI.
        var clustering = ClusteringOf(builder.Configuration, configure);
        options.Validate(
            o => o.Clustering == clustering,
            $"{FlowActorsClientOptions.Section}:Clustering was changed after AddFlowActorsClient chose {clustering}; " +
            "set it in configuration or in AddFlowActorsClient's delegate.");
        // Gateways admit only members with a certificate of the cluster's authority: checked at start with the other options.
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FlowActorsClientOptions>>(new ClientCertificateValidator(contentRoot)));
        builder.UseOrleansClient(client =>
        {
            client.Services.AddOptions<ClientConnectionOptions>().Configure<IOptions<FlowActorsClientOptions>>((connections, flowActors) =>
                connections.ConfigureConnection(connection => connection.UseClientTls(
                    ClusterTls.ClientTlsOptions(ClusterTls.Load(flowActors.Value.Tls, contentRoot, ClientCertificateValidator.Section)))));
            client.Services.AddOptions<ClusterOptions>().Configure<IOptions<FlowActorsClientOptions>>((cluster, flowActors) =>
            {
                cluster.ClusterId = flowActors.Value.ClusterId;
                cluster.ServiceId = flowActors.Value.ServiceId;
            });
            if (clustering == FlowActorsClustering.AzureTable)
            {
                client.UseAzureStorageClustering((OptionsBuilder<AzureStorageGatewayOptions> gateways) =>
                    gateways.Configure<IOptions<FlowActorsClientOptions>>((table, flowActors) =>
                    {
                        var o = flowActors.Value;
                        table.TableServiceClient = string.IsNullOrWhiteSpace(o.AzureTableConnectionString)
                            ? new TableServiceClient(o.AzureTableServiceUri, new DefaultAzureCredential())
                            : new TableServiceClient(o.AzureTableConnectionString);
                        table.TableName = new AzureResourceNames(o.AzureResourcePrefix).MembershipTable;
                    }));
            }
            else
            {
                client.UseStaticClustering((OptionsBuilder<StaticGatewayListProviderOptions> gateways) =>
                    gateways.Configure<IOptions<FlowActorsClientOptions>>((list, flowActors) =>
                        list.Gateways = [new Uri($"gwy.tcp://127.0.0.1:{flowActors.Value.GatewayPort}/0")]));
            }

            client.AddFlowStreams(FlowStreams.Provider, builder.Configuration);
        });
        return options;
    }

    /// <summary>
    /// Registers <see cref="IFlowActorsClient"/> over an Orleans client configured elsewhere (inside a silo, or a host
    /// that already has its Orleans client), with its options bound from <c>FlowActors:Client</c> and validated at start.
    /// </summary>
    public static OptionsBuilder<FlowActorsClientOptions> AddFlowActorsClientApi(this IServiceCollection services)
    {
        var options = services.AddOptions<FlowActorsClientOptions>().BindConfiguration(FlowActorsClientOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FlowActorsClientOptions>, FlowActorsClientOptionsValidator>());
        services.TryAddSingleton<IFlowActorsClient>(sp =>
            new FlowActorsClient(sp.GetRequiredService<IClusterClient>(), sp.GetRequiredService<IOptions<FlowActorsClientOptions>>().Value));
        return options;
    }

    private static FlowActorsClustering ClusteringOf(IConfiguration configuration, Action<FlowActorsClientOptions>? configure)
    {
        var probe = new FlowActorsClientOptions();
        configuration.GetSection(FlowActorsClientOptions.Section).Bind(probe);
        configure?.Invoke(probe);
        return probe.Clustering;
    }
}
