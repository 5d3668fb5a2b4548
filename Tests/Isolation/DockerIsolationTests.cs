using System.Net;
using System.Net.Sockets;
using Docker.DotNet.Models;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Containers.Isolation;
using FlowActors.Containers.Leases;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Grains.Interfaces.Containers;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Docker;
using Microsoft.Extensions.Options;

namespace FlowActors.Tests.Isolation;

/// <summary>
/// The component boundary on the real Docker engine, asked from inside a container (the sample image's <c>probe</c>):
/// with the silo's default isolation a container has a network namespace of its own (<c>--network none</c>) that only
/// the silo enters; on the host's network (isolation off) the same probe reaches what the isolated one cannot.
/// </summary>
[TestClass]
[TestCategory("Docker")]
public sealed class DockerIsolationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static Task ClassInitialize(TestContext context) => DockerTestEngine.EnsureReadyAsync("all");

    [TestMethod]
    public async Task IsolatedContainer_CannotConnectToPortsOnTheHostsLoopback_WhileItsCallerReachesIt()
    {
        await using var docker = new DockerTestEngine();
        Assert.IsTrue(docker.Isolation.IsolatesContainerNetwork, $"This test needs a silo that can isolate containers (root): {docker.Isolation.ContainerNetworkLimitation}");
        using var siloPort = Listen();
        var lease = await docker.Runtime.StartAsync(ProbeRequest(), TestContext.CancellationToken);
        await docker.WaitHealthyAsync(lease, Timeout);

        var report = await ProbeAsync(docker, lease, [Port(siloPort), lease.Endpoint.Port]);

        Assert.AreNotEqual(ProbeReport.Connected, report.Connections[Port(siloPort)], "The container reached a port on the host's loopback.");
        Assert.IsFalse(siloPort.Pending(), "A connection from the container arrived at the host's port.");
        Assert.AreEqual(ProbeReport.Connected, report.Connections[lease.Endpoint.Port], "The container could not reach its own port: the probe itself is broken.");
        CollectionAssert.AreEqual(new[] { "lo" }, report.Interfaces.ToArray());
        Assert.AreEqual("65534", report.User);
        report.AssertEnvironmentWithin(["PATH", "HOSTNAME", "HOME", "FLOWACTORS_COMPONENT"]);

        await docker.Runtime.StopAsync(lease, TestContext.CancellationToken);
        Assert.AreEqual(0, docker.Isolation.Networks.Count, "The stopped container's namespace was let go.");
    }

    [TestMethod]
    public async Task ContainerOnTheHostsNetwork_ReachesThePortsTheIsolatedOneCannot()
    {
        await using var docker = new DockerTestEngine(isolation: ComponentIsolationMode.Off);
        using var siloPort = Listen();
        var lease = await docker.Runtime.StartAsync(ProbeRequest(), TestContext.CancellationToken);
        await docker.WaitHealthyAsync(lease, Timeout);

        var report = await ProbeAsync(docker, lease, [Port(siloPort)]);

        Assert.AreEqual(ProbeReport.Connected, report.Connections[Port(siloPort)], "On the host's network the probe must reach the port, or it proves nothing when isolated.");
    }

    [TestMethod]
    public async Task ContainerOfARealSilo_ReachesNoneOfItsPorts_WhileFlowsThroughItRun()
    {
        var cluster = $"iso-{Guid.NewGuid():N}"[..16];
        try
        {
            await using var silo = await SiloProcess.StartAsync("--FlowActors:Containers:Kind=Docker", $"--FlowActors:Silo:ClusterId={cluster}");
            await using var sdk = await SdkHost.StartAsync(o =>
            {
                o.GatewayPort = silo.GatewayPort;
                o.ClusterId = cluster;
                o.Tls.CertificatePath = silo.ClientCertificatePath;
            });
            var probe = SampleDeployments.Probe();

            var reports = await ProbeFlows.RunAsync(sdk.Client, silo.ControlPlanePorts(), [], probe);

            foreach (var (mode, report) in reports)
            {
                report.AssertNoneConnected(silo.ControlPlanePorts());
                CollectionAssert.AreEqual(new[] { "lo" }, report.Interfaces.ToArray(), mode.ToString());
                report.AssertEnvironmentWithin(["PATH", "HOSTNAME", "HOME", .. probe.Launch.Environment.Keys]);
            }

            Assert.AreEqual(0, silo.CountLines("NOT isolated"), silo.RecentOutput);
        }
        finally
        {
            // The silo was killed: its containers are this test's to remove (its own cluster id, nobody else's).
            foreach (var container in await DockerTestEngine.Docker.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Cluster}={cluster}"] = true } },
            }))
            {
                await DockerTestEngine.Docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
            }
        }
    }

    private static ContainerRequest ProbeRequest()
    {
        var launch = new ComponentLaunch("flowactors/samples:test", null, [], new Dictionary<string, string> { ["FLOWACTORS_COMPONENT"] = "probe" });
        var revision = new ComponentRevision("probe", 1, launch, new ComponentDescriptor([], ["probe"]), DateTimeOffset.UtcNow);
        return new ContainerRequest("isolation", "probe", revision, null, "isolation/probe@test", TimeSpan.FromMinutes(1));
    }

    private static async Task<ProbeReport> ProbeAsync(DockerTestEngine docker, ContainerLease lease, int[] ports)
    {
        using var client = new ComponentClient(Options.Create(new ComponentClientOptions()), docker.Isolation.Networks);
        var emits = await client.InvokeAsync(lease.Endpoint, "probe", FlowMessage.Create(ProbeReport.Request(ports)), null, null, Timeout, CancellationToken.None);
        return ProbeReport.Parse(emits.Single().Body!.Value.GetRawText());
    }

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;
}
