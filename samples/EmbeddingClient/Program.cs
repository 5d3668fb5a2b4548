using FlowActors.Client.Hosting;
using FlowActors.Samples.EmbeddingClient;

// A service that embeds the FlowActors SDK. It connects to the gateway of `dotnet run --project Silo`
// (127.0.0.1:30000 by default; FlowActors:Client:GatewayPort changes it) with the client certificate that silo made
// on its first start (appsettings.json: FlowActors:Client:Tls:CertificatePath), and runs GreeterWorker once.
var builder = Host.CreateApplicationBuilder(args);
builder.AddFlowActorsClient();
builder.Services.AddHostedService<GreeterWorker>();
await builder.Build().RunAsync();
