using System.Net;
using FlowActors.Silo.AdminConsole;
using FlowActors.Silo.Api;
using FlowActors.Silo.Health;
using FlowActors.Silo.Hosting;
using FlowActors.Silo.Hosting.Azure;
using FlowActors.Silo.Samples;
using FlowActors.Silo.Secrets;
using FlowActors.Silo.Telemetry;
using FlowActors.Silo.Webhooks;
using Orleans.Dashboard;

var builder = WebApplication.CreateBuilder(args);

var profile = HostingProfiles.Read(builder.Configuration);
var host = SiloHostOptions.From(builder.Configuration);
var telemetry = TelemetryOptions.From(builder.Configuration);
builder.UseOrleans(silo =>
{
    if (profile == HostingProfile.Azure)
    {
        silo.UseAzureProfile(host);
    }
    else
    {
        silo.UseLocalhostClustering(host.SiloPort, host.GatewayPort, new IPEndPoint(IPAddress.Loopback, host.SiloPort), host.ServiceId, host.ClusterId);
        silo.UseEmbeddedProfile();
    }

    silo.AddFlowActorsTelemetry(telemetry);

    // Silo-to-silo and client-to-gateway connections: mutual TLS, with the embedded profile's own certificates or configured ones.
    var credentials = SiloTls.Load(host, profile, builder.Environment.ContentRootPath, TimeProvider.System, out var clientCertificate);
    silo.UseClusterTls(credentials);
    silo.Services.AddSingleton(new GeneratedCertificates(clientCertificate));
    silo.Services.AddSingleton(KeyRingCertificates.From(builder.Configuration, credentials.Certificate, builder.Environment.ContentRootPath));
    if (builder.Configuration.DashboardEnabled())
    {
        silo.AddDashboard();
    }
});

if (string.IsNullOrEmpty(builder.Configuration[$"{ApiOptions.Section}:KeyFile"]))
{
    // One folder holds what the silo keeps: the generated admin key beside the embedded profile's database.
    builder.Services.Configure<ApiOptions>(o => o.KeyFile = Path.Combine(host.DataFolderPath(builder.Environment.ContentRootPath), "api-key"));
}

builder.AddFlowActorsRequestGuards(); // body limits and header checks for both listeners
builder.AddFlowActorsApi();
builder.AddFlowActorsWebhooks(); // its own listener, beside the admin one (--urls)
builder.AddFlowActorsConsole();
builder.AddFlowActorsTelemetry(telemetry);
builder.AddFlowActorsHealth();

// Samples are for a first run on a laptop; a cluster's silos would race to seed them.
if (builder.Configuration.GetValue("FlowActors:SeedSamples", defaultValue: profile == HostingProfile.Embedded))
{
    builder.Services.AddHostedService<SampleFlowSeeder>();
}

var app = builder.Build();
app.UseFlowActorsRequestGuards();
app.UseFlowActorsWebhookGuards();
app.MapFlowActorsHealth();
app.MapFlowActorsApi();
app.MapFlowActorsWebhooks();
app.MapFlowActorsConsole();
app.MapFlowActorsTelemetry();
app.Run();
