using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Containers.Docker;
using FlowActors.Containers.Isolation;
using FlowActors.Containers.Leases;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlowActors.Tests.Docker;

/// <summary>
/// What the Docker tests share: a runtime on the real engine, in a cluster id of their own so that cleanup (by label)
/// never touches anyone else's containers. Without an engine the tests fail, saying how to start one.
/// </summary>
internal sealed class DockerTestEngine : IAsyncDisposable
{
    public const string BusyboxImage = "flowactors/busybox-echo:test";

    /// <param name="isolation">Auto (a silo's default) unless a test says otherwise.</param>
    public DockerTestEngine(string? silo = null, DockerRuntimeOptions? options = null, ComponentIsolationMode isolation = ComponentIsolationMode.Auto)
    {
        Options = options ?? new DockerRuntimeOptions();
        Owner = new ContainerOwner(ClusterId, silo ?? LiveSilo);
        Isolation = new ComponentIsolation(
            new ComponentNetworks(), Microsoft.Extensions.Options.Options.Create(new ComponentIsolationOptions { Mode = isolation }), NullLogger<ComponentIsolation>.Instance);
        Runtime = new DockerContainerRuntime(
            Microsoft.Extensions.Options.Options.Create(Options), Owner, Leases, new LoopbackPorts(), Isolation, TimeProvider.System, NullLoggerFactory.Instance);
    }

    /// <summary>The runtime's isolation: <see cref="NewHttpClient"/> reaches its components through it.</summary>
    public ComponentIsolation Isolation { get; }

    /// <summary>An HTTP client that reaches this runtime's components, inside their network namespaces when they have them.</summary>
    public HttpClient NewHttpClient() => new(new SocketsHttpHandler { UseProxy = false, ConnectCallback = Isolation.Networks.ConnectAsync });

    /// <summary>One cluster id per test run.</summary>
    public static string ClusterId { get; } = $"test-{Guid.NewGuid():N}"[..17];

    /// <summary>A silo address in Orleans' parsable form, as a live silo would label its containers.</summary>
    public const string LiveSilo = "127.0.0.1:11111@100";

    public DockerRuntimeOptions Options { get; }

    public ContainerOwner Owner { get; }

    public ContainerLeases Leases { get; } = new();

    public DockerContainerRuntime Runtime { get; }

    /// <param name="images">What <c>scripts/build-test-images.sh</c> builds: busybox, samples or all.</param>
    public static async Task EnsureReadyAsync(string images = "busybox")
    {
        if (!await DockerEngine.AnswersAsync(new DockerRuntimeOptions().Endpoint, TimeSpan.FromSeconds(2), CancellationToken.None))
        {
            Assert.Fail("No Docker engine answers on /var/run/docker.sock. Start one with scripts/ensure-docker.sh.");
        }

        // Idempotent and quick when the image is current, so the tests never run an outdated component.
        var script = Path.Combine(RepositoryRoot(), "scripts", "build-test-images.sh");
        using var build = Process.Start(new ProcessStartInfo("bash", [script, images]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        // Both pipes at once: reading one to its end while the other fills up would deadlock the script.
        var stderr = build.StandardError.ReadToEndAsync();
        var stdout = build.StandardOutput.ReadToEndAsync();
        await build.WaitForExitAsync();
        var output = await stderr + await stdout;
        Assert.AreEqual(0, build.ExitCode, $"scripts/build-test-images.sh {images} failed: {output}");
    }

    /// <summary>The engine's own API, to see containers as Docker sees them.</summary>
    public static DockerClient Docker { get; } = new DockerClientConfiguration().CreateClient();

    /// <summary>Every container (running or not) of one flow, as the Docker API lists them.</summary>
    public static async Task<IList<ContainerListResponse>> ContainersOfFlowAsync(string flowId) =>
        await Docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Flow}={flowId}"] = true },
            },
        });

    /// <summary>Removes every container of one flow: for tests whose silos end without stopping their flows.</summary>
    public static Task RemoveContainersOfFlowAsync(string flowId) => RemoveLabelledAsync($"{ContainerLabels.Flow}={flowId}");

    /// <summary>Removes every container a cluster started: for a test that failed before it knew its flow.</summary>
    public static Task RemoveContainersOfClusterAsync(string clusterId) => RemoveLabelledAsync($"{ContainerLabels.Cluster}={clusterId}");

    private static async Task RemoveLabelledAsync(string label)
    {
        var containers = await Docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
        });
        foreach (var container in containers)
        {
            await Docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    public static ContainerRequest Request(string step, string image = BusyboxImage, string flow = "orders") => new(
        flow,
        step,
        new ComponentRevision("busybox-echo", 1, new ComponentLaunch(image, null, [], new Dictionary<string, string>()), new ComponentDescriptor([], ["echo", "uppercase"]), DateTimeOffset.UtcNow),
        """{"greeting":"hi"}""",
        $"{flow}/{step}@test",
        TimeSpan.FromMinutes(1));

    public async Task WaitHealthyAsync(Grains.Interfaces.Containers.ContainerLease lease, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!await Runtime.ProbeAsync(lease, CancellationToken.None))
        {
            if (deadline.Elapsed > timeout)
            {
                Assert.Fail($"Container {lease.ContainerId} did not answer {lease.Endpoint}healthz within {timeout}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Removes every container of this test run's cluster.</summary>
    public async Task RemoveAllAsync()
    {
        foreach (var container in await Runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Cluster] = ClusterId }, CancellationToken.None))
        {
            await Runtime.RemoveAsync(container.Id, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await RemoveAllAsync();
        await Runtime.DisposeAsync();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "FlowActors.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No FlowActors.sln above {AppContext.BaseDirectory}.");
    }
}
