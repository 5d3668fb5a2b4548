using System.Diagnostics;
using FlowActors.Client;
using FlowActors.Containers.Leases;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;
using FlowActors.Tests.Docker;

namespace FlowActors.Tests.Hosting;

/// <summary>
/// Failover with Docker components: a silo SIGKILLed while it runs a real-time flow's containers; the flow runs again
/// on containers of the survivors without an operator, and a survivor's reaper removes what the dead silo left.
/// </summary>
[TestClass]
[TestCategory("Azure")]
[TestCategory("Docker")]
public sealed class DockerFailoverTests
{
    /// <summary>
    /// Death declared, the dead silo's grains held for its directory lease, the wake-up, a container started: 13.7 and
    /// 15.8 s with both cores busy (load average near 40), so 20 s rather than the 15 s the local-process flows of
    /// ClusterFailoverTests keep (docs/operations.md, Failover).
    /// </summary>
    private static readonly TimeSpan BackRunningWithin = TimeSpan.FromSeconds(20);

    [TestMethod]
    public async Task SiloKilled_ItsRealtimeFlowRunsAgainOnTheSurvivors_AndItsContainersAreReaped()
    {
        await DockerTestEngine.EnsureReadyAsync("busybox");
        // The reaper's shipped period (1 min) and grace (30 s) shortened, as the test's only change to its timings.
        await using var cluster = await AzureSiloCluster.StartAsync(3, identity: null,
            "--FlowActors:Containers:Kind=Docker",
            "--FlowActors:Containers:Reaper:Period=00:00:01",
            "--FlowActors:Containers:Reaper:Grace=00:00:01");
        await using var sdk = await SdkHost.StartAsync(cluster.ConfigureClient);
        await sdk.Client.DeployComponentAsync("busybox", DockerFlowTests.BusyboxDeployment());
        string flowId;
        try
        {
            flowId = await SdkFlows.StartAsync(sdk.Client, FlowDefinition.Chain(
                "shout",
                new StepDefinition("shout", "busybox", "uppercase"),
                new StepDefinition("answer", "busybox", "echo")), FlowMode.Realtime, "dock");
        }
        catch (TimeoutException)
        {
            foreach (var silo in cluster.Silos)
            {
                TestContext.WriteLine($"silo {silo.SiloPort}:\n{silo.RecentOutput}");
            }

            // The silos end with the test and no other cluster's reaper takes their containers.
            await DockerTestEngine.RemoveContainersOfClusterAsync(cluster.ClusterId);
            throw;
        }

        try
        {
            var before = await DockerTestEngine.ContainersOfFlowAsync(flowId);
            Assert.HasCount(2, before, "one container per real-time step");
            var victimAddress = before[0].Labels[ContainerLabels.Silo];
            var victim = cluster.Silos.Single(s => victimAddress.StartsWith($"127.0.0.1:{s.SiloPort}@", StringComparison.Ordinal));
            var victimContainers = before.Where(c => c.Labels[ContainerLabels.Silo] == victimAddress).Select(c => c.ID).ToHashSet();

            var clock = Stopwatch.StartNew();
            await victim.KillAloneAsync();

            // Running again, every step in a container that a living silo started.
            TimeSpan? running = null;
            TimeSpan? reaped = null;
            FlowStatus? status = null;
            while ((running is null || reaped is null) && clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                var containers = await DockerTestEngine.ContainersOfFlowAsync(flowId);
                if (reaped is null && !containers.Any(c => victimContainers.Contains(c.ID)))
                {
                    reaped = clock.Elapsed;
                }

                try
                {
                    status = await sdk.Client.GetStatusAsync(flowId).WaitAsync(TimeSpan.FromSeconds(2));
                    var live = containers.Where(c => c.State == "running" && c.Labels[ContainerLabels.Silo] != victimAddress).Select(c => c.ID).ToArray();
                    if (running is null && status.Lifecycle == FlowLifecycle.Running
                        && status.Steps.All(s => s.Phase == StepPhase.Ready && live.Any(id => s.ContainerId is { } c && id.StartsWith(c, StringComparison.Ordinal))))
                    {
                        running = clock.Elapsed;
                    }
                }
                catch (Exception e) when (e is TimeoutException or OrleansException or ClusterUnavailableException)
                {
                    // a grain of the dead silo: asked again once it is declared dead
                }

                await Task.Delay(200);
            }

            TestContext.WriteLine($"after the kill: Running again on the survivors' containers at {running?.TotalSeconds:F1} s, its {victimContainers.Count} container(s) reaped at {reaped?.TotalSeconds:F1} s");
            Assert.IsNotNull(running, $"the flow did not run again on the survivors: {status}");
            Assert.IsLessThan(BackRunningWithin, running.Value);
            Assert.IsNotNull(reaped, "the killed silo's containers were not reaped");

            // And it serves messages again.
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var events = await sdk.Client.FollowSubscribedAsync(flowId, cancel.Token);
            var execution = await sdk.Client.SendAsync(flowId, """{"name":"ada"}""", cancellationToken: cancel.Token);
            await foreach (var e in events.WithCancellation(cancel.Token))
            {
                if (e.ExecutionId == execution)
                {
                    Assert.AreEqual(FlowEventKind.Output, e.Kind, e.Error);
                    StringAssert.Contains(e.Message!.Body, "ADA");
                    break;
                }
            }
        }
        finally
        {
            // Stopped, the flow gives its containers back; whatever a failed assertion left behind goes too, since the
            // surviving silos end with the test and would keep them for a restart that will not come.
            await sdk.Client.StopAsync(flowId);
            await DockerTestEngine.RemoveContainersOfFlowAsync(flowId);
        }
    }

    public TestContext TestContext { get; set; } = null!;
}
