using FlowActors.Client;
using FlowActors.Client.Hosting;
using FlowActors.TestSupport.Silos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace FlowActors.Tests.Client;

/// <summary>How the SDK is registered in a host: options from DI (nothing copied at registration), validated at start, and the stream provider from the section the silos read.</summary>
[TestClass]
public sealed class ClientRegistrationTests
{
    [TestMethod]
    public void Options_AreReadFromDependencyInjection_SoConfigurationAfterRegistrationCounts()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["FlowActors:Client:GatewayPort"] = "30111";
        builder.Configuration["FlowActors:Client:ClusterId"] = "from-configuration";
        builder.Configuration["FlowActors:Client:Tls:CertificatePath"] = TestCertificates.ClientCertificatePath;
        builder.AddFlowActorsClient(o => o.ServiceId = "from-delegate").Configure(o => o.GatewayPort = 30222);
        builder.Services.Configure<FlowActorsClientOptions>(o => o.ClusterId = "configured-later");
        using var host = builder.Build();

        var gateways = host.Services.GetRequiredService<IOptions<StaticGatewayListProviderOptions>>().Value.Gateways;
        var cluster = host.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;

        CollectionAssert.AreEqual(new[] { new Uri("gwy.tcp://127.0.0.1:30222/0") }, gateways.ToArray());
        Assert.AreEqual("configured-later", cluster.ClusterId);
        Assert.AreEqual("from-delegate", cluster.ServiceId);
        Assert.IsNotNull(host.Services.GetRequiredService<IFlowActorsClient>());
    }

    [TestMethod]
    public async Task InvalidOptions_StopTheHostAtStart_NamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["FlowActors:Client:ReplyTimeout"] = "00:00:00";
        builder.AddFlowActorsClient();
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        StringAssert.Contains(e.Message, "FlowActors:Client:ReplyTimeout");
    }

    [TestMethod]
    public void AStreamKindTheClientDoesNotKnow_IsRefused_NamingTheSharedSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["FlowActors:Streams:Kind"] = "Carrier-pigeon";

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => builder.AddFlowActorsClient());

        StringAssert.Contains(e.Message, "FlowActors:Streams:Kind is 'Carrier-pigeon'");
        StringAssert.Contains(e.Message, "Silos and clients must agree");
    }
}
