using FlowActors.Client;
using FlowActors.Containers.Processes;
using FlowActors.Silo.Api;
using FlowActors.Silo.Hosting;
using FlowActors.Silo.Webhooks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Samples;

/// <summary>
/// Embedded profile only: deploys the sample components (the polling trigger <c>counter</c> and the Service Bus
/// component <c>servicebus</c> among them) and two sample flows (one ordinary, one
/// real-time), starts them, and tells the operator how to send a message. Only what is missing is seeded: state
/// survives a restart, and a sample the user redeployed, edited or stopped stays as the user left it.
/// </summary>
public sealed partial class SampleFlowSeeder(
    IFlowActorsClient client,
    ApiKey apiKey,
    IServer server,
    GeneratedCertificates certificates,
    IOptions<WebhookOptions> webhooks,
    ILogger<SampleFlowSeeder> logger,
    IHostApplicationLifetime lifetime,
    LaunchFiles launchFiles) : BackgroundService
{
    public const string OrdinaryFlow = "sample";
    public const string RealtimeFlow = "sample-realtime";

    /// <summary>The step of README's tour that gives a flow a webhook, which the banner points to (a test keeps them in step).</summary>
    public const int ReadmeWebhookStep = 6;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForStartAsync(stoppingToken);
        await DeployIfMissingAsync("transform", SampleDeployments.Transform(), stoppingToken);
        await DeployIfMissingAsync("delay", SampleDeployments.Delay(), stoppingToken);
        await DeployIfMissingAsync("echo", SampleDeployments.Echo(), stoppingToken);
        await DeployIfMissingAsync("faulty", SampleDeployments.Faulty(), stoppingToken);

        // For schedules and Service Bus (docs/triggers.md): deployed, not used by a sample flow.
        await DeployIfMissingAsync("counter", SampleDeployments.Counter(), stoppingToken);
        await DeployIfMissingAsync("servicebus", SampleDeployments.ServiceBusSend(), stoppingToken);

        await CreateIfMissingAsync(OrdinaryFlow, SampleDefinition("Sample (ordinary)"), FlowMode.Ordinary, stoppingToken);
        await CreateIfMissingAsync(RealtimeFlow, SampleDefinition("Sample (real-time)"), FlowMode.Realtime, stoppingToken);
        await WaitWhileWarmingUpAsync(RealtimeFlow, stoppingToken);

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

            Webhooks are served on their own listener: {webhooks.Value.Url}/hooks/<flow id> (README, tour step {ReadmeWebhookStep}).
            The SDK presents a client certificate to the gateway: {certificates.ClientCertificatePath ?? "the one FlowActors:Silo:Tls's authority issued"}.

            Press Ctrl+C to stop.
            """);
    }

    /// <summary>The same chain for both samples, each under a name of its own so that lists tell them apart.</summary>
    private static FlowDefinition SampleDefinition(string name) => FlowDefinition.Chain(
        name,
        new StepDefinition("shout", "transform", "uppercase", StepConfiguration.From(new { field = "name" })),
        // Stands for an outside API that answers in 20 ms: 32 calls at once let it pass ~1,600 messages a second, where
        // one at a time capped the flow at ~48.
        new StepDefinition("lookup", "delay", "delay", StepConfiguration.From(new { ms = 20 }), Concurrency: 32),
        new StepDefinition("answer", "echo", "echo"));

    /// <summary>
    /// Deploys a sample component that is missing, and deploys it again when the files its newest revision pinned were
    /// rebuilt since (a revision runs what it was deployed with): only while that revision is still the sample's own
    /// launch, so a revision the user deployed stays.
    /// </summary>
    private async Task DeployIfMissingAsync(string componentId, ComponentDeployment deployment, CancellationToken ct)
    {
        var revisions = await client.ListComponentRevisionsAsync(componentId, ct);
        if (revisions.Count == 0)
        {
            await client.DeployComponentAsync(componentId, deployment, ct);
            return;
        }

        var newest = revisions[^1];
        var samples = newest.Launch.Command == deployment.Launch.Command && newest.Launch.Arguments.SequenceEqual(deployment.Launch.Arguments);
        if (samples && (await launchFiles.CheckAsync(newest, ct)).FirstOrDefault(check => check.Changed) is { } changed)
        {
            var revision = await client.DeployComponentAsync(componentId, deployment, ct);
            LogRedeployed(logger, componentId, revision.Revision, changed.Path, newest.Revision);
        }
    }

    /// <summary>A flow with a draft is the user's now (publishing needs one): its content, mode and running state are kept.</summary>
    private async Task CreateIfMissingAsync(string flowId, FlowDefinition definition, FlowMode mode, CancellationToken ct)
    {
        if (await client.GetDraftAsync(flowId, ct) is not null)
        {
            return;
        }

        await client.SaveDraftAsync(flowId, definition, ct);
        await client.PublishAsync(flowId, ct);
        await client.SetModeAsync(flowId, mode, ct);
        await client.StartAsync(flowId, ct);
    }

    /// <summary>
    /// "FlowActors is running" means a message is answered at once: a real-time sample that is warming up (just
    /// created, or woken after a restart) is waited for. One the user stopped is left alone; one that fails is reported.
    /// </summary>
    private async Task WaitWhileWarmingUpAsync(string flowId, CancellationToken ct)
    {
        try
        {
            if ((await client.GetStatusAsync(flowId, ct)).Lifecycle == FlowLifecycle.WarmingUp)
            {
                await client.WaitUntilRunningAsync(flowId, cancellationToken: ct);
            }
        }
        catch (Exception e) when (e is FlowStateException or TimeoutException)
        {
            LogNotRunning(logger, flowId, e.Message);
        }
    }

    private Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(started.SetResult);
        return started.Task.WaitAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 3050, Level = LogLevel.Information, Message = "Sample flows {Ordinary} and {Realtime} are there (seeded where missing)")]
    private static partial void LogReady(ILogger logger, string ordinary, string realtime);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Information, Message = "Sample component {ComponentId} deployed again as revision {Revision}: {Path} was rebuilt since revision {Previous}, which runs only the file it was deployed with")]
    private static partial void LogRedeployed(ILogger logger, string componentId, int revision, string path, int previous);

    [LoggerMessage(EventId = 3051, Level = LogLevel.Warning, Message = "Sample flow {FlowId} is not running: {Reason}")]
    private static partial void LogNotRunning(ILogger logger, string flowId, string reason);
}
