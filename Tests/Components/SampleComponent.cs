using System.Diagnostics;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Containers.Isolation;
using FlowActors.Containers.Leases;
using FlowActors.Containers.Processes;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Grains.Interfaces.Containers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FlowActors.Tests.Components;

/// <summary>Starts the sample components (built beside the tests by the project reference) as real processes.</summary>
internal static class SampleComponent
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan HealthWait = TimeSpan.FromSeconds(15);

    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "FlowActors.SampleComponents.dll");

    /// <summary>
    /// Isolation as a silo's default (Auto): shared by every runtime and client these tests make, as a silo shares its
    /// own, so that a client reaches the components in their namespaces; with it, one port book for every runtime.
    /// </summary>
    public static ComponentIsolation Isolation { get; } = CreateIsolation(ComponentIsolationMode.Auto);

    private static LoopbackPorts Ports { get; } = new();

    public static ComponentIsolation CreateIsolation(ComponentIsolationMode mode) =>
        new(new ComponentNetworks(), Options.Create(new ComponentIsolationOptions { Mode = mode }), NullLogger<ComponentIsolation>.Instance);

    public static ComponentClient CreateClient(ComponentIsolation? isolation = null) =>
        new(Options.Create(new ComponentClientOptions()), (isolation ?? Isolation).Networks);

    /// <summary>Who owns the processes of the runtimes these tests make (no silo: given explicitly).</summary>
    public static ContainerOwner Owner { get; } = new("tests", "127.0.0.1:11111@1");

    /// <param name="leases">The lease book the runtime records in, for a test that reaps; a fresh one by default.</param>
    /// <param name="isolation">How its components are isolated; <see cref="Isolation"/> (a silo's default) unless a test says otherwise.</param>
    /// <param name="configure">Changes to the runtime's default options.</param>
    /// <param name="starts">The gate a silo closes when it shuts down; an open one of its own by default.</param>
    public static LocalProcessContainerRuntime CreateRuntime(
        ILogger<LocalProcessContainerRuntime>? logger = null,
        int? maxLogLineLength = null,
        ContainerLeases? leases = null,
        ComponentIsolation? isolation = null,
        Action<LocalProcessRuntimeOptions>? configure = null,
        ContainerStartGate? starts = null)
    {
        Assert.IsTrue(
            File.Exists(Path.ChangeExtension(DllPath, ".runtimeconfig.json")),
            $"{DllPath} or its runtimeconfig.json is missing: Tests.csproj must reference Components/Samples/SampleComponents.csproj.");
        var options = new LocalProcessRuntimeOptions();
        if (maxLogLineLength is { } length)
        {
            options.MaxLogLineLength = length;
        }

        configure?.Invoke(options);

        return new LocalProcessContainerRuntime(
            Owner,
            leases ?? new ContainerLeases(),
            Ports,
            isolation ?? Isolation,
            Options.Create(options),
            logger ?? NullLogger<LocalProcessContainerRuntime>.Instance,
            TimeProvider.System,
            starts);
    }

    public static ContainerRequest Request(
        string component,
        string flow = "tests",
        string? step = null,
        string? configuration = null,
        TimeSpan? leaseDuration = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        step ??= component;
        var launch = new ComponentLaunch(null, "dotnet", [DllPath, component], environment ?? new Dictionary<string, string>());
        var revision = new ComponentRevision(component, 1, launch, new ComponentDescriptor([], []), DateTimeOffset.UtcNow);
        return new ContainerRequest(flow, step, revision, configuration, $"{flow}/{step}@test", leaseDuration ?? TimeSpan.FromMinutes(5));
    }

    /// <summary>Waits until a started component answers its health probe; fails if it exits first or takes too long.</summary>
    public static async Task WaitHealthyAsync(IContainerRuntime runtime, ContainerLease lease)
    {
        var clock = Stopwatch.StartNew();
        while (!await runtime.ProbeAsync(lease, CancellationToken.None))
        {
            Assert.IsTrue(await runtime.IsRunningAsync(lease, CancellationToken.None), $"{lease.ContainerId} exited before it was healthy.");
            Assert.IsLessThan(HealthWait, clock.Elapsed, $"{lease.ContainerId} was not healthy within {HealthWait}.");
            await Task.Delay(20);
        }
    }

    /// <summary>Starts the component and waits until it answers its health probe; returns the lease and how long that took.</summary>
    public static async Task<(ContainerLease Lease, TimeSpan Ready)> StartHealthyAsync(IContainerRuntime runtime, ContainerRequest request)
    {
        var clock = Stopwatch.StartNew();
        var lease = await runtime.StartAsync(request, CancellationToken.None);
        while (clock.Elapsed < HealthWait)
        {
            if (await runtime.ProbeAsync(lease, CancellationToken.None))
            {
                return (lease, clock.Elapsed);
            }

            if (!await runtime.IsRunningAsync(lease, CancellationToken.None))
            {
                Assert.Fail($"Sample component '{request.Revision.ComponentId}' ({lease.ContainerId}) exited before it was healthy.");
            }

            await Task.Delay(20);
        }

        await runtime.StopAsync(lease, CancellationToken.None);
        Assert.Fail($"Sample component '{request.Revision.ComponentId}' was not healthy within {HealthWait}.");
        return default;
    }

}
