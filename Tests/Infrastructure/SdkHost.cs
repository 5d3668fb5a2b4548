using FlowActors.Client;
using FlowActors.Client.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlowActors.Tests.Infrastructure;

/// <summary>A host that embeds the SDK the way a user's service does (<c>AddFlowActorsClient</c>), connected to a silo's gateway.</summary>
public sealed class SdkHost : IAsyncDisposable
{
    private readonly IHost _host;

    private SdkHost(IHost host) => _host = host;

    public IFlowActorsClient Client => _host.Services.GetRequiredService<IFlowActorsClient>();

    /// <summary>The Orleans client underneath, for what operators do with Orleans' own tools (the management grain).</summary>
    public IClusterClient Cluster => _host.Services.GetRequiredService<IClusterClient>();

    public static Task<SdkHost> StartAsync(int gatewayPort) => StartAsync(o => o.GatewayPort = gatewayPort);

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
