using System.Net;
using FlowActors.Silo.AdminConsole;
using FlowActors.Silo.Api;
using FlowActors.Silo.Hosting;
using FlowActors.Silo.Samples;
using Orleans.Dashboard;

var builder = WebApplication.CreateBuilder(args);

// Loopback only unless an operator deliberately configures other URLs (--urls, or the "urls" setting).
builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://127.0.0.1:5080");

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
builder.AddFlowActorsConsole();
if (builder.Configuration.GetValue("FlowActors:SeedSamples", defaultValue: true))
{
    builder.Services.AddHostedService<SampleFlowSeeder>();
}

var app = builder.Build();
app.MapFlowActorsApi();
app.MapFlowActorsConsole();
app.Run();
