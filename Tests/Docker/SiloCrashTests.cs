using FlowActors.Client;
using FlowActors.Containers.Leases;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Flows;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlowActors.Tests.Docker;

/// <summary>A silo that dies holding leases leaves containers behind; a surviving silo's reaper removes them.</summary>
[TestClass]
[TestCategory("Docker")]
public sealed class SiloCrashTests
{
    [TestMethod]
    public async Task KilledSilo_ItsOrphanContainersAreReapedByTheSurvivor()
    {
        await DockerTestEngine.EnsureReadyAsync("all");
        // No TLS: the in-memory test transport cannot abort a TLS connection to a killed silo (see FlowCluster.StartAsync).
        await using var cluster = await FlowCluster.StartAsync(silos: 2, tls: false, configure: silo =>
        {
            DockerFlowTests.UseDocker(silo);
            silo.Services.Configure<ContainerReaperOptions>(o =>
            {
                o.Period = TimeSpan.FromMilliseconds(500);
                o.Grace = TimeSpan.Zero;
            });
        });
        await cluster.DeployAsync("transform", SampleDeployments.Transform());
        await cluster.DeployAsync("delay", SampleDeployments.Delay());
        await cluster.DeployAsync("echo", SampleDeployments.Echo());
        var flowId = await cluster.CreateFlowAsync(SampleFlows.ThreeSteps(), FlowMode.Realtime);
        await cluster.Flow(flowId).StartAsync();
        await cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, TimeSpan.FromSeconds(60));

        // Kill a silo that holds containers (the first silo keeps the test cluster's client gateway).
        var containers = await DockerTestEngine.ContainersOfFlowAsync(flowId);
        var owners = containers.Select(c => c.Labels[ContainerLabels.Silo]).ToHashSet();
        var victim = cluster.Cluster.Silos.LastOrDefault(s => owners.Contains(s.SiloAddress.ToParsableString()))
            ?? cluster.Cluster.Silos[0];
        var orphans = containers.Where(c => c.Labels[ContainerLabels.Silo] == victim.SiloAddress.ToParsableString()).Select(c => c.ID).ToList();
        Assert.IsNotEmpty(orphans);
        await cluster.Cluster.KillSiloAsync(victim);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while ((await DockerTestEngine.ContainersOfFlowAsync(flowId)).Any(c => orphans.Contains(c.ID)))
        {
            Assert.IsFalse(cts.IsCancellationRequested, $"Orphans of the killed silo {victim.SiloAddress} were still there 90 s later.");
            await Task.Delay(200, CancellationToken.None);
        }

        await cluster.Flow(flowId).StopAsync();
        var left = await DockerTestEngine.ContainersOfFlowAsync(flowId);
        Assert.IsEmpty(left, string.Join("\n", left.Select(c => $"{c.ID[..12]} {c.State} {string.Join(",", c.Labels.Select(l => $"{l.Key}={l.Value}"))} victim={victim.SiloAddress.ToParsableString()}")));
    }
}
