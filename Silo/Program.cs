using System.Net;
using FlowActors.Silo.AdminConsole;
using FlowActors.Silo.Api;
using FlowActors.Silo.Health;
using FlowActors.Silo.Hosting;
using FlowActors.Silo.Samples;
using FlowActors.Silo.Telemetry;
using Orleans.Dashboard;

var builder = WebApplication.CreateBuilder(args);

// Loopback only unless an operator deliberately configures other URLs (--urls, or the "urls" setting).
builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://127.0.0.1:5080");

var host = SiloHostOptions.From(builder.Configuration);
var telemetry = TelemetryOptions.From(builder.Configuration);
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(host.SiloPort, host.GatewayPort, new IPEndPoint(IPAddress.Loopback, host.SiloPort), host.ServiceId, host.ClusterId);
    silo.UseEmbeddedProfile();
    silo.AddFlowActorsTelemetry(telemetry);
    if (builder.Configuration.DashboardEnabled())
    {
        silo.AddDashboard();
    }
});

builder.AddFlowActorsApi();
builder.AddFlowActorsConsole();
builder.AddFlowActorsTelemetry(telemetry);
builder.AddFlowActorsHealth();
if (builder.Configuration.GetValue("FlowActors:SeedSamples", defaultValue: true))
{
    builder.Services.AddHostedService<SampleFlowSeeder>();
}

var app = builder.Build();
app.MapFlowActorsHealth();
app.MapFlowActorsApi();
app.MapFlowActorsConsole();
app.MapFlowActorsTelemetry();
app.Run();
