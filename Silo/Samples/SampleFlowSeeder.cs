using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Silo.Api;
using FlowActors.Silo.Hosting;
using FlowActors.Silo.Webhooks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Samples;

/// <summary>
/// Embedded profile only: deploys the sample components and two sample flows (one ordinary, one
/// real-time), starts them, and tells the operator how to send a message. Only what is missing is seeded: state
/// survives a restart, and a sample the user redeployed, edited or stopped stays as the user left it.
/// </summary>
public sealed partial class SampleFlowSeeder(
    IClusterClient client,
    ApiKey apiKey,
    IServer server,
    GeneratedCertificates certificates,
    IOptions<WebhookOptions> webhooks,
    ILogger<SampleFlowSeeder> logger,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    public const string OrdinaryFlow = "sample";
    public const string RealtimeFlow = "sample-realtime";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForStartAsync(stoppingToken);
        await DeployIfMissingAsync("transform", SampleDeployments.Transform());
        await DeployIfMissingAsync("delay", SampleDeployments.Delay());
        await DeployIfMissingAsync("echo", SampleDeployments.Echo());
        await DeployIfMissingAsync("faulty", SampleDeployments.Faulty());

        var definition = FlowDefinition.Chain(
            "Greet",
            new StepDefinition("shout", "transform", "uppercase", """{"field":"name"}"""),
            new StepDefinition("lookup", "delay", "delay", """{"ms":20}"""),
            new StepDefinition("answer", "echo", "echo"));
        await CreateIfMissingAsync(OrdinaryFlow, definition, FlowMode.Ordinary);
        await CreateIfMissingAsync(RealtimeFlow, definition, FlowMode.Realtime);

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => WebhookListener.PortOf(a) != WebhookListener.PortOf(webhooks.Value.Url))
            ?? WebhookListener.DefaultAdminUrl;
        LogReady(logger, OrdinaryFlow, RealtimeFlow);
        Console.WriteLine($"""

            FlowActors is running. Two sample flows: '{OrdinaryFlow}' (ordinary) and '{RealtimeFlow}' (real-time),
            each shout (uppercase) -> lookup (20 ms delay) -> answer (echo).

            Send a message and wait for the flow's output:
              curl -s -X POST '{address}/api/flows/{RealtimeFlow}/messages?wait=true' \
                -H "X-Api-Key: $(cat {apiKey.KeyFile ?? "<your configured key>"})" -H 'Content-Type: application/json' \
                -d '{"{"}"name":"ada"{"}"}'

            See a flow's status:
              curl -s '{address}/api/flows/{OrdinaryFlow}/' -H "X-Api-Key: $(cat {apiKey.KeyFile ?? "<your configured key>"})"

            Webhooks are served on their own listener: {webhooks.Value.Url}/hooks/<flow id> (README, step 5).
            The SDK presents a client certificate to the gateway: {certificates.ClientCertificatePath ?? "the one FlowActors:Silo:Tls's authority issued"}.

            Press Ctrl+C to stop.
            """);
    }

    private async Task DeployIfMissingAsync(string componentId, ComponentDeployment deployment)
    {
        var component = client.GetGrain<IComponentGrain>(componentId);
        if (await component.GetLatestAsync() is null)
        {
            await component.DeployAsync(deployment);
        }
    }

    /// <summary>A flow with a draft or a revision is the user's now: its content, mode and running state are kept.</summary>
    private async Task CreateIfMissingAsync(string flowId, FlowDefinition definition, FlowMode mode)
    {
        var flow = client.GetGrain<IFlowGrain>(flowId);
        if (await flow.GetDraftAsync() is not null || await flow.GetPublishedAsync() is not null)
        {
            return;
        }

        await flow.SaveDraftAsync(definition);
        await flow.PublishAsync();
        await flow.SetModeAsync(mode);
        await flow.StartAsync();
    }

    private Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(started.SetResult);
        return started.Task.WaitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sample flows {Ordinary} and {Realtime} are there (seeded where missing)")]
    private static partial void LogReady(ILogger logger, string ordinary, string realtime);
}
