using System.Net;
using System.Net.Sockets;
using FlowActors.Client;
using FlowActors.Client.Events;
using FlowActors.Containers;
using FlowActors.Containers.Leases;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Steps;
using FlowActors.Silo.Hosting;
using FlowActors.Silo.Samples;
using FlowActors.Silo.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FlowActors.Bench.Flows;

/// <summary>
/// One silo in the embedded profile (SQLite storage in a temporary folder, fast streams, the chosen container runtime) on free loopback
/// ports, with the echo sample deployed. The benchmark process is the silo: its CPU time is the silo's, and the
/// component processes it starts are its children.
/// </summary>
internal sealed class FlowSilo(IHost host) : IAsyncDisposable
{
    public const string Echo = "echo";

    public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

    public IContainerRuntime Runtime => host.Services.GetRequiredService<IContainerRuntime>();

    /// <summary>echo → echo → echo: the component does no work, so what remains is the platform and the HTTP round trips.</summary>
    public static FlowDefinition ThreeEchoes { get; } = FlowDefinition.Chain(
        "three echoes",
        new StepDefinition("first", Echo, "echo"),
        new StepDefinition("second", Echo, "echo"),
        new StepDefinition("third", Echo, "echo"));

    /// <param name="settings">Configuration over the environment's (e.g. FlowActors:Telemetry:*).</param>
    /// <param name="steps">Applied to the step options after the bench's own (the delivery suite shortens timeouts).</param>
    /// <param name="configure">Applied to the silo after the embedded profile.</param>
    /// <param name="duplicates">Counts the duplicates the silo's steps drop (the delivery suite).</param>
    public static async Task<FlowSilo> StartAsync(
        ContainerRuntimeKind kind, TimeSpan idleTimeout, CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? settings = null,
        Action<StepOptions>? steps = null, Action<ISiloBuilder>? configure = null, Delivery.DuplicateLog? duplicates = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Configuration[$"{ContainerRuntimeOptions.SectionName}:Kind"] = kind.ToString();
        // Grain state in a SQLite file of the benchmark's own, under the system's temporary folder.
        builder.Configuration[$"{SiloHostOptions.Section}:DataFolder"] = Path.Combine(Path.GetTempPath(), $"flowactors-bench-{Guid.NewGuid():N}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Error);
        builder.Logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
        if (duplicates is not null)
        {
            builder.Logging.AddProvider(duplicates).AddFilter<Delivery.DuplicateLog>(Delivery.DuplicateLog.Category, LogLevel.Debug);
        }

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "bench", clusterId: $"bench-{Guid.NewGuid():N}");
            silo.UseEmbeddedProfile(options =>
            {
                options.IdleTimeout = idleTimeout;
                options.StartTimeout = TimeSpan.FromSeconds(60);
                steps?.Invoke(options);
            });
            configure?.Invoke(silo);
        });

        // As the silo ships (the console's charts listen) unless FlowActors__Telemetry__* says otherwise: the cost of
        // tracing and metrics is measured by running the suite with them on and off.
        builder.AddFlowActorsTelemetry(TelemetryOptions.From(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var silo = new FlowSilo(host);
        await silo.Client.GetGrain<IComponentGrain>(Echo).DeployAsync(EchoDeployment(kind));
        return silo;
    }

    /// <summary>
    /// The sample echo deployment. For Docker its arguments are dropped: the Docker runtime passes
    /// <see cref="ComponentLaunch.Arguments"/> as the container's command, and the sample image would take the local
    /// executable's path for the component name (exit code 2); the image finds its component in FLOWACTORS_COMPONENT.
    /// </summary>
    private static ComponentDeployment EchoDeployment(ContainerRuntimeKind kind)
    {
        var echo = SampleDeployments.Echo();
        return kind == ContainerRuntimeKind.Docker ? echo with { Launch = echo.Launch with { Arguments = [] } } : echo;
    }

    public IFlowGrain Flow(string flowId) => Client.GetGrain<IFlowGrain>(flowId);

    /// <summary>Saves, publishes and sets the mode of a flow with a fresh id (so its step grains start cold); returns the id.</summary>
    public async Task<string> CreateFlowAsync(FlowDefinition definition, FlowMode mode)
    {
        var flowId = $"b{Guid.NewGuid():N}"[..20];
        var flow = Flow(flowId);
        await flow.SaveDraftAsync(definition);
        await flow.PublishAsync();
        await flow.SetModeAsync(mode);
        return flowId;
    }

    public Task<FlowEventSubscription> SubscribeAsync(string flowId) => FlowEventSubscription.SubscribeAsync(Client, flowId);

    public async Task WaitForLifecycleAsync(string flowId, FlowLifecycle lifecycle, TimeSpan timeout, TimeSpan poll)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var status = await Flow(flowId).GetStatusAsync();
            if (status.Lifecycle == lifecycle)
            {
                return;
            }

            if (status.Lifecycle == FlowLifecycle.Failed || cts.IsCancellationRequested)
            {
                throw new InvalidOperationException($"Flow {flowId} is {status.Lifecycle}, not {lifecycle}: {status.Error}");
            }

            await Task.Delay(poll, CancellationToken.None);
        }
    }

    /// <summary>Waits (bounded) until the runtime lists no container of the flow, so the next run does not share the CPU with a stopping one.</summary>
    public async Task WaitForNoContainersAsync(string flowId, TimeSpan timeout)
    {
        var labels = new Dictionary<string, string> { [ContainerLabels.Flow] = flowId };
        using var cts = new CancellationTokenSource(timeout);
        while ((await Runtime.ListAsync(labels, CancellationToken.None)).Count > 0 && !cts.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Bounded: a silo whose flows failed must not hold the benchmark up for ever.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StopAsync(timeout.Token);
        try
        {
            host.Dispose();
        }
        catch (ObjectDisposedException)
        {
            // DockerContainerRuntime is disposed twice (it is registered as itself and behind IContainerRuntime
            // factories) and its second DisposeAsync touches a disposed CancellationTokenSource: reported, not ours to fix here.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
