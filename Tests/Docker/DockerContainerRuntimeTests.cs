using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using FlowActors.Containers;
using FlowActors.Containers.Leases;

namespace FlowActors.Tests.Docker;

[TestClass]
[TestCategory("Docker")]
public sealed class DockerContainerRuntimeTests
{
    private DockerTestEngine _docker = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static Task ClassInitialize(TestContext context) => DockerTestEngine.EnsureReadyAsync();

    [TestInitialize]
    public void Initialize() => _docker = new DockerTestEngine();

    [TestCleanup]
    public async Task Cleanup() => await _docker.DisposeAsync();

    [TestMethod]
    public async Task BusyboxComponent_AnswersHealthAndEchoesInvoke_AndIsGoneAfterStop()
    {
        var lease = await _docker.Runtime.StartAsync(DockerTestEngine.Request("echo"), TestContext.CancellationToken);
        await _docker.WaitHealthyAsync(lease, TimeSpan.FromSeconds(10));

        using var http = _docker.NewHttpClient();
        using var response = await http.PostAsync(
            new Uri(lease.Endpoint, "/invoke"),
            new StringContent("""{"action":"echo","message":{"id":"m1","body":{"order":42,"note":"a \"quoted\" word"},"executionId":"x1"},"configuration":null,"snapshot":null}""", System.Text.Encoding.UTF8, "application/json"),
            TestContext.CancellationToken);
        Assert.IsTrue(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var reply = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        var emit = reply.GetProperty("emits")[0];
        Assert.AreEqual("data", emit.GetProperty("kind").GetString());
        Assert.AreEqual(42, emit.GetProperty("body").GetProperty("order").GetInt32());
        Assert.AreEqual("a \"quoted\" word", emit.GetProperty("body").GetProperty("note").GetString());

        await _docker.Runtime.StopAsync(lease, TestContext.CancellationToken);
        Assert.IsFalse(await _docker.Runtime.IsRunningAsync(lease, TestContext.CancellationToken));
        Assert.IsEmpty(await _docker.Runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Lease] = lease.LeaseId }, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task ContainerExitingAtStart_IsDescribedWithItsExitCodeAndLastStderrLines()
    {
        // The sample components' image, asked for a component it does not have: it prints its usage on stderr and exits 2.
        var request = DockerTestEngine.Request("exits", image: "flowactors/samples:test");
        request = request with { Revision = request.Revision with { Launch = request.Revision.Launch with { Environment = new Dictionary<string, string> { ["FLOWACTORS_COMPONENT"] = "nosuch" } } } };

        string described;
        try
        {
            // The engine may report it gone while the start enters its network, or only afterwards.
            var lease = await _docker.Runtime.StartAsync(request, TestContext.CancellationToken);
            var deadline = Stopwatch.StartNew();
            while (await _docker.Runtime.IsRunningAsync(lease, TestContext.CancellationToken))
            {
                Assert.IsLessThan(TimeSpan.FromSeconds(30), deadline.Elapsed, "The container should have exited at once.");
                await Task.Delay(20, TestContext.CancellationToken);
            }

            described = ComponentStartException.Exited(lease.ContainerId, await _docker.Runtime.GetExitAsync(lease, TestContext.CancellationToken)).Message;
        }
        catch (ComponentStartException e)
        {
            described = e.Message;
        }

        StringAssert.Contains(described, "exited with code 2 before it answered its health probe; its last lines on stderr:");
        StringAssert.Contains(described, "Usage: FlowActors.SampleComponents transform|delay|faulty|echo");
    }

    [TestMethod]
    public async Task StartedContainer_IsHardenedAsInspectShows()
    {
        var lease = await _docker.Runtime.StartAsync(DockerTestEngine.Request("hardened"), TestContext.CancellationToken);
        using var config = new DockerClientConfiguration(new Uri(_docker.Options.Endpoint));
        using var client = config.CreateClient();

        var inspected = await client.Containers.InspectContainerAsync(lease.ContainerId, TestContext.CancellationToken);

        var host = inspected.HostConfig;
        CollectionAssert.AreEqual(new[] { "ALL" }, host.CapDrop.ToArray());
        CollectionAssert.Contains(host.SecurityOpt.ToArray(), "no-new-privileges");
        Assert.IsTrue(host.ReadonlyRootfs);
        Assert.AreEqual(256L * 1024 * 1024, host.Memory);
        Assert.AreEqual(128L, host.PidsLimit);
        Assert.AreEqual(1_000_000_000L, host.NanoCPUs);
        Assert.AreEqual("none", host.NetworkMode, "A container of an isolating silo has a network namespace of its own with only lo.");
        Assert.IsTrue(host.Tmpfs.ContainsKey("/tmp"));
        Assert.AreEqual("65534:65534", inspected.Config.User);
        Assert.IsFalse(host.Privileged);
    }

    [TestMethod]
    public async Task StartedContainer_CarriesOwnerLeaseAndStepLabels_AndListFindsItByThem()
    {
        var lease = await _docker.Runtime.StartAsync(DockerTestEngine.Request("labelled", flow: "billing"), TestContext.CancellationToken);

        var found = await _docker.Runtime.ListAsync(
            new Dictionary<string, string> { [ContainerLabels.Cluster] = DockerTestEngine.ClusterId, [ContainerLabels.Flow] = "billing", [ContainerLabels.Step] = "labelled" },
            TestContext.CancellationToken);

        var container = found.Single();
        Assert.AreEqual(lease.ContainerId, container.Id);
        Assert.AreEqual(DockerTestEngine.LiveSilo, container.Labels[ContainerLabels.Silo]);
        Assert.AreEqual(lease.LeaseId, container.Labels[ContainerLabels.Lease]);
        Assert.AreEqual("billing/labelled@test", container.Labels[ContainerLabels.Holder]);
        Assert.AreEqual("busybox-echo", container.Labels[ContainerLabels.Component]);
        Assert.AreEqual("1", container.Labels[ContainerLabels.Revision]);
        Assert.IsEmpty(await _docker.Runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Flow] = "no-such-flow-" + Guid.NewGuid() }, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task KilledContainer_IsNotRunning_AndRaisesContainerDied()
    {
        var died = new TaskCompletionSource<ContainerDiedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        _docker.Runtime.ContainerDied += (_, e) => died.TrySetResult(e);
        var lease = await _docker.Runtime.StartAsync(DockerTestEngine.Request("doomed"), TestContext.CancellationToken);
        await _docker.WaitHealthyAsync(lease, TimeSpan.FromSeconds(10));
        Assert.IsTrue(await _docker.Runtime.IsRunningAsync(lease, TestContext.CancellationToken));

        using var config = new DockerClientConfiguration(new Uri(_docker.Options.Endpoint));
        using var client = config.CreateClient();
        await client.Containers.KillContainerAsync(lease.ContainerId, new ContainerKillParameters { Signal = "KILL" }, TestContext.CancellationToken);

        var death = await died.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.CancellationToken);
        Assert.AreEqual(lease.ContainerId, death.ContainerId);
        Assert.AreEqual(lease.LeaseId, death.LeaseId);
        Assert.AreEqual("doomed", death.StepId);
        Assert.IsFalse(await _docker.Runtime.IsRunningAsync(lease, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task StoppedContainer_DoesNotRaiseContainerDied()
    {
        var deaths = 0;
        _docker.Runtime.ContainerDied += (_, _) => Interlocked.Increment(ref deaths);
        var lease = await _docker.Runtime.StartAsync(DockerTestEngine.Request("graceful"), TestContext.CancellationToken);

        await _docker.Runtime.StopAsync(lease, TestContext.CancellationToken);
        await Task.Delay(500, TestContext.CancellationToken);

        Assert.AreEqual(0, deaths);
    }

    [TestMethod]
    public async Task MissingImage_FailsNamingTheImageAndTheBuildScript()
    {
        var request = DockerTestEngine.Request("missing", image: "flowactors/does-not-exist:test");

        var error = await Assert.ThrowsExactlyAsync<ComponentImageMissingException>(() => _docker.Runtime.StartAsync(request, TestContext.CancellationToken));

        StringAssert.Contains(error.Message, "flowactors/does-not-exist:test");
        StringAssert.Contains(error.Message, "scripts/build-test-images.sh");
    }

    [TestMethod]
    public async Task BusyboxComponent_CreateToHealthy_IsMeasured()
    {
        var timings = new List<double>();
        for (var run = 0; run < 5; run++)
        {
            var watch = Stopwatch.StartNew();
            var lease = await _docker.Runtime.StartAsync(DockerTestEngine.Request($"timed{run}"), TestContext.CancellationToken);
            await _docker.WaitHealthyAsync(lease, TimeSpan.FromSeconds(10));
            timings.Add(watch.Elapsed.TotalMilliseconds);
            await _docker.Runtime.StopAsync(lease, TestContext.CancellationToken);
        }

        timings.Sort();
        TestContext.WriteLine($"busybox create→healthy ms: {string.Join(", ", timings.Select(t => t.ToString("0")))}; median {timings[2]:0}");
        Assert.IsLessThan(5000, timings[2]);
    }
}
