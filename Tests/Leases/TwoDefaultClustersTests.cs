using Docker.DotNet.Models;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Docker;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Leases;

/// <summary>
/// Two single-silo clusters with the default cluster id ("dev") on one Docker engine, as README's "beside other silos"
/// example runs them: each reaper lists the other's containers (same cluster label) but must leave them alone, since
/// its own membership cannot prove their owner gone.
/// </summary>
[TestClass]
[TestCategory("Docker")]
public sealed class TwoDefaultClustersTests
{
    private const string Flow = SampleFlowSeeder.RealtimeFlow;

    [TestMethod]
    public async Task TwoDefaultSilos_OnOneEngine_KeepEachOthersContainers()
    {
        await DockerTestEngine.EnsureReadyAsync("all");
        string[] settings = ["--FlowActors:Containers:Kind=Docker", .. DefaultSiloLeaseTests.ReaperTimings];
        var silos = new List<SiloProcess>();
        var owners = new HashSet<string>();
        try
        {
            silos.Add(await SiloProcess.StartWithDefaultsAsync(settings));
            silos.Add(await SiloProcess.StartWithDefaultsAsync(settings));
            var containers = new List<Dictionary<string, string?>>();
            foreach (var silo in silos)
            {
                containers.Add((await silo.WaitRunningAsync(Flow, TimeSpan.FromSeconds(90))).Containers());
                var inspected = await DockerTestEngine.Docker.Containers.InspectContainerAsync(containers[^1].Values.First());
                owners.Add(inspected.Config.Labels["flowactors.silo"]);
            }

            Assert.HasCount(2, owners, "each silo labels its containers with its own address");
            Assert.IsEmpty(containers[0].Values.Intersect(containers[1].Values), "each silo runs its own containers");

            await Task.WhenAll(silos.Select((silo, i) => DefaultSiloLeaseTests.WatchReaperPassesAsync(silo, Flow, containers[i], passes: 6)));

            for (var i = 0; i < silos.Count; i++)
            {
                foreach (var id in containers[i].Values)
                {
                    Assert.IsTrue((await DockerTestEngine.Docker.Containers.InspectContainerAsync(id)).State.Running, $"container {id} stopped");
                }

                var reply = await silos[i].SendAndWaitAsync(Flow, """{"name":"ada"}""");
                Assert.AreEqual("ADA", reply.GetProperty("body").GetProperty("name").GetString());
                CollectionAssert.AreEquivalent(containers[i], (await silos[i].GetStatusAsync(Flow)).Containers());
            }
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }

            // Killed silos leave their containers, as a crash would: removing them is this test's job.
            foreach (var owner in owners)
            {
                var left = await DockerTestEngine.Docker.Containers.ListContainersAsync(new ContainersListParameters
                {
                    All = true,
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"flowactors.silo={owner}"] = true } },
                });
                foreach (var container in left)
                {
                    await DockerTestEngine.Docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
                }
            }
        }
    }
}
