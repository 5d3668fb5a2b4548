using FlowActors.Client;

namespace FlowActors.Samples.EmbeddingClient;

/// <summary>
/// Deploys two components, publishes and starts a real-time flow that uppercases a name and replies with it,
/// sends a few messages, prints the replies and the executions' step timings, stops the flow and exits.
/// </summary>
public sealed partial class GreeterWorker(IFlowActorsClient flows, IHostApplicationLifetime lifetime, ILogger<GreeterWorker> logger) : BackgroundService
{
    private const string FlowId = "embedding-sample";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
            Environment.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var transform = await flows.DeployComponentAsync("greeter-transform", Deployment("transform", "uppercase"), ct);
        var echo = await flows.DeployComponentAsync("greeter-echo", Deployment("echo", "echo", "reply"), ct);
        Console.WriteLine($"Deployed {transform.ComponentId} r{transform.Revision} and {echo.ComponentId} r{echo.Revision}");

        if ((await flows.GetStatusAsync(FlowId, ct)).Lifecycle != FlowLifecycle.Stopped)
        {
            await flows.StopAsync(FlowId, ct); // a previous run left it running; the mode can only change while stopped
        }

        await flows.SaveDraftAsync(FlowId, FlowDefinition.Chain(
            "Greeter",
            new StepDefinition("shout", "greeter-transform", "uppercase", StepConfiguration.From(new { field = "name" })),
            new StepDefinition("answer", "greeter-echo", "reply")), ct);
        var published = await flows.PublishAsync(FlowId, ct);
        await flows.SetModeAsync(FlowId, FlowMode.Realtime, ct);
        await flows.StartAsync(FlowId, ct);
        var status = await flows.WaitUntilRunningAsync(FlowId, TimeSpan.FromSeconds(60), ct);
        Console.WriteLine($"Flow {FlowId} revision {published.Revision} is {status.Lifecycle} in {status.Mode} mode");

        foreach (var name in new[] { "ada", "grace", "barbara" })
        {
            var reply = await flows.SendAndWaitAsync(FlowId, $$"""{"name":"{{name}}"}""", TimeSpan.FromSeconds(10), cancellationToken: ct);
            Console.WriteLine(reply switch
            {
                { TimedOut: true } => $"{name} -> no reply within 10 s (execution {reply.ExecutionId})",
                { Failed: true } => $"{name} -> failed: {reply.Event!.Error}",
                _ => $"{name} -> {reply.Body} ({reply.Event!.Kind} from step '{reply.Event.StepId}')",
            });
        }

        foreach (var execution in await flows.GetRecentExecutionsAsync(FlowId, 3, ct))
        {
            var steps = string.Join(", ", execution.Steps.Select(s => $"{s.StepId} {s.Elapsed.TotalMilliseconds:0.0} ms"));
            Console.WriteLine($"Execution {execution.ExecutionId[..8]}: {execution.Status}; {steps}");
        }

        await flows.StopAsync(FlowId, ct);
        Console.WriteLine($"Flow {FlowId} stopped");
    }

    /// <summary>
    /// A sample component as the silo runs it: a local process of the sample executable that ships with the silo.
    /// './' paths are the silo's to resolve, against its components directory (docs/components.md), not this program's.
    /// </summary>
    private static ComponentDeployment Deployment(string component, params string[] actions) => new(
        new ComponentLaunch(
            Image: null,
            Command: "dotnet",
            Arguments: ["./FlowActors.SampleComponents.dll", component],
            Environment: new Dictionary<string, string> { ["FLOWACTORS_COMPONENT"] = component }),
        new ComponentDescriptor(Triggers: [], Actions: actions));

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "The sample failed; is `dotnet run --project Silo` running, and on the gateway port configured here?")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
