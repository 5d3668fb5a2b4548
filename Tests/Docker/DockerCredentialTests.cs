using System.Text.Json;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Credentials;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Docker;

/// <summary>
/// Credentials for components on real containers: the sample signer presents the key it is handed in both modes, a
/// rotation reaches the running flow's next message, and <c>docker inspect</c> shows the key nowhere.
/// </summary>
[TestClass]
[TestCategory("Docker")]
public sealed class DockerCredentialTests
{
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        await DockerTestEngine.EnsureReadyAsync("samples");
        s_cluster = await FlowCluster.StartAsync(idleTimeout: TimeSpan.FromSeconds(3), configure: DockerFlowTests.UseDocker);
        await s_cluster.DeployAsync("signer", SampleDeployments.Signer());
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    [DataRow(FlowMode.Realtime)]
    [DataRow(FlowMode.Ordinary)]
    public Task Rotation_ReachesTheNextMessage_OnDocker(FlowMode mode) => CredentialScenarios.RotationReachesTheNextMessageAsync(s_cluster, mode);

    [TestMethod]
    [DataRow(FlowMode.Realtime)]
    [DataRow(FlowMode.Ordinary)]
    public Task WrongKey_IsRefused_RightKeyPasses_OnDocker(FlowMode mode) => CredentialScenarios.WrongKeyIsRefused_RightKeyPassesAsync(s_cluster, mode);

    [TestMethod]
    public async Task DockerInspect_ShowsTheCredentialNowhere()
    {
        const string key = "docker-visible-key-3a9e71";
        var credentialId = $"c{Guid.NewGuid():N}"[..16];
        await CredentialScenarios.SetKeyAsync(s_cluster, credentialId, key);
        await using var running = await s_cluster.StartRealtimeFlowAsync(CredentialScenarios.Signing(credentialId), CredentialScenarios.Wait);
        try
        {
            CredentialScenarios.AssertSigned(await CredentialScenarios.SendAsync(s_cluster, running.Events, running.FlowId, "{}"), key, "{}", revision: 1);
            var containers = await DockerTestEngine.ContainersOfFlowAsync(running.FlowId);
            Assert.HasCount(1, containers);
            var inspected = await DockerTestEngine.Docker.Containers.InspectContainerAsync(containers[0].ID);
            var text = JsonSerializer.Serialize(inspected);
            Assert.IsFalse(text.Contains(key, StringComparison.Ordinal), "docker inspect shows the credential");
            Assert.Contains(e => e.StartsWith("FLOWACTORS_COMPONENT=signer", StringComparison.Ordinal), inspected.Config.Env, "the environment was inspected");
            var showing = CredentialScenarios.ProcessesShowing(key).ToList();
            Assert.IsEmpty(showing, string.Join(", ", showing.Select(p => $"{p.Pid}/{p.Where}")));
        }
        finally
        {
            await s_cluster.Flow(running.FlowId).StopAsync();
        }
    }
}
