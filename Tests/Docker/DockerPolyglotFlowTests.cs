using FlowActors.Client;
using FlowActors.Tests.Flows;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Docker;

/// <summary>
/// The three-language flow on Docker: each step in its own FROM-scratch image built here (the NativeAOT .NET samples,
/// node with the Node.js SDK, a static busybox), from the same deployments the local-process test uses.
/// </summary>
[TestClass]
[TestCategory("Docker")]
public sealed class DockerPolyglotFlowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        await DockerTestEngine.EnsureReadyAsync("all");
        s_cluster = await FlowCluster.StartAsync(idleTimeout: TimeSpan.FromSeconds(3), configure: DockerFlowTests.UseDocker);
        await PolyglotFlow.DeployAsync(s_cluster);
    }

    [ClassCleanup]
    public static async Task StopAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    public Task DotnetNodeAndShellComponents_RealtimeFlow_OnDocker() => PolyglotFlow.RunAsync(s_cluster, FlowMode.Realtime, Wait);

    [TestMethod]
    public Task DotnetNodeAndShellComponents_OrdinaryFlow_OnDocker() => PolyglotFlow.RunAsync(s_cluster, FlowMode.Ordinary, Wait);
}
