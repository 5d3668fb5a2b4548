using System.Net;
using FlowActors.Silo.AdminConsole;
using FlowActors.Silo.Api;
using FlowActors.Silo.Hosting;
using FlowActors.Silo.Samples;
using FlowActors.Silo.Webhooks;
using Orleans.Dashboard;

var builder = WebApplication.CreateBuilder(args);

var host = SiloHostOptions.From(builder.Configuration);
var credentials = SiloTls.Load(host.Tls, builder.Environment.ContentRootPath, TimeProvider.System, out var clientCertificate);
builder.Services.AddSingleton(new GeneratedCertificates(clientCertificate));
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(host.SiloPort, host.GatewayPort, new IPEndPoint(IPAddress.Loopback, host.SiloPort), host.ServiceId, host.ClusterId);
    silo.UseClusterTls(credentials);
    silo.UseEmbeddedProfile();
    if (builder.Configuration.DashboardEnabled())
    {
        silo.AddDashboard();
    }
});

builder.AddFlowActorsApi();
builder.AddFlowActorsWebhooks(); // its own listener, beside the admin one (--urls)
builder.AddFlowActorsConsole();
if (builder.Configuration.GetValue("FlowActors:SeedSamples", defaultValue: true))
{
    builder.Services.AddHostedService<SampleFlowSeeder>();
}

var app = builder.Build();
app.UseFlowActorsWebhookGuards();
app.MapFlowActorsApi();
app.MapFlowActorsWebhooks();
app.MapFlowActorsConsole();
app.Run();
