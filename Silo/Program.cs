using FlowActors.Client.Events;
using FlowActors.Silo.Api;
using FlowActors.Silo.Hosting;
using FlowActors.Silo.Samples;

var builder = WebApplication.CreateBuilder(args);

// Loopback only unless an operator deliberately configures other URLs.
builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://127.0.0.1:5080");

builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering();
    silo.UseEmbeddedProfile();
});

builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section);
builder.Services.AddSingleton<ApiKey>();
builder.Services.AddSingleton<ApiKeyFilter>();
builder.Services.AddSingleton<FlowReplies>();
if (builder.Configuration.GetValue("FlowActors:SeedSamples", defaultValue: true))
{
    builder.Services.AddHostedService<SampleFlowSeeder>();
}

var app = builder.Build();
app.MapMessageEndpoints();
app.Run();
