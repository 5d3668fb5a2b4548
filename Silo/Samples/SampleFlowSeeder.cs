using FlowActors.Client;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Silo.Api;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace FlowActors.Silo.Samples;

/// <summary>
/// Embedded profile only: deploys the sample components and two sample flows (one ordinary, one
/// real-time), starts them, and tells the operator how to send a message.
/// </summary>
public sealed partial class SampleFlowSeeder(
    IFlowActorsClient client, ApiKey apiKey, IServer server, ILogger<SampleFlowSeeder> logger, IHostApplicationLifetime lifetime) : BackgroundService
{
    public const string OrdinaryFlow = "sample";
    public const string RealtimeFlow = "sample-realtime";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForStartAsync(stoppingToken);
        await client.DeployComponentAsync("transform", SampleDeployments.Transform(), stoppingToken);
        await client.DeployComponentAsync("delay", SampleDeployments.Delay(), stoppingToken);
        await client.DeployComponentAsync("echo", SampleDeployments.Echo(), stoppingToken);
        await client.DeployComponentAsync("faulty", SampleDeployments.Faulty(), stoppingToken);

        var definition = FlowDefinition.Chain(
            "Greet",
            new StepDefinition("shout", "transform", "uppercase", StepConfiguration.From(new { field = "name" })),
            new StepDefinition("lookup", "delay", "delay", StepConfiguration.From(new { ms = 20 })),
            new StepDefinition("answer", "echo", "echo"));
        await StartAsync(OrdinaryFlow, definition, FlowMode.Ordinary, stoppingToken);
        await StartAsync(RealtimeFlow, definition, FlowMode.Realtime, stoppingToken);

        // "Running" means a message is answered at once: the real-time sample has warmed up.
        await client.WaitUntilRunningAsync(RealtimeFlow, cancellationToken: stoppingToken);

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5080";
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

            Press Ctrl+C to stop.
            """);
    }

    private async Task StartAsync(string flowId, FlowDefinition definition, FlowMode mode, CancellationToken ct)
    {
        await client.SaveDraftAsync(flowId, definition, ct);
        await client.PublishAsync(flowId, ct);
        await client.SetModeAsync(flowId, mode, ct);
        await client.StartAsync(flowId, ct);
    }

    private Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(started.SetResult);
        return started.Task.WaitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sample flows {Ordinary} and {Realtime} deployed and started")]
    private static partial void LogReady(ILogger logger, string ordinary, string realtime);
}
