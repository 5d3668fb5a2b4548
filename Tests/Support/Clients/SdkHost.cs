using FlowActors.Client;
using FlowActors.Client.Hosting;
using FlowActors.TestSupport.Silos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlowActors.TestSupport.Clients;

/// <summary>A host that embeds the SDK the way a user's service does (<c>AddFlowActorsClient</c>), connected to a silo's gateway.</summary>
public sealed class SdkHost : IAsyncDisposable
{
    private readonly IHost _host;

    private SdkHost(IHost host) => _host = host;

    public IFlowActorsClient Client => _host.Services.GetRequiredService<IFlowActorsClient>();

    /// <summary>The Orleans client underneath, for what the SDK does not offer (management grains in tests).</summary>
    public IClusterClient Cluster => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Connects to <paramref name="silo"/>'s gateway with the client certificate the silo made, as a user's service does.</summary>
    public static Task<SdkHost> StartAsync(SiloProcess silo) => StartAsync(o =>
    {
        o.GatewayPort = silo.GatewayPort;
        o.Tls.CertificatePath = silo.ClientCertificatePath;
    });

    public static async Task<SdkHost> StartAsync(Action<FlowActorsClientOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddFlowActorsClient(configure);
        var host = builder.Build();
        await host.StartAsync();
        return new SdkHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
