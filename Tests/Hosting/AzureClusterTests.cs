using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using FlowActors.Client;
using FlowActors.Client.Hosting;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;

namespace FlowActors.Tests.Hosting;

/// <summary>
/// The Azure profile, for real: three <c>Silo</c> processes on loopback against Azurite form one cluster through the
/// membership table, spread flows and steps over themselves, serve any flow from any silo's API and the SDK, and
/// keep everything across a full restart of the cluster.
/// </summary>
[TestClass]
[TestCategory("Azure")]
public sealed class AzureClusterTests
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(90);

    [TestMethod]
    public async Task ThreeSilos_FormOneCluster_SpreadTheSteps_AndServeEveryFlowFromAnySiloAndTheSdk()
    {
        await using var cluster = await AzureSiloCluster.StartAsync(3);
        await WaitForActiveSilosAsync(cluster, 3);

        var admin = cluster.Silos[0].Http;
        await DeployAsync(admin);
        var flows = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            flows.Add(await StartFlowAsync(admin, "Realtime"));
        }

        flows.Add(await StartFlowAsync(admin, "Ordinary"));
        foreach (var flowId in flows)
        {
            await UserWorld.WaitForRunningAsync(admin, flowId, WarmUp);
        }

        // A real-time step's component runs as a child process of the silo that hosts the step grain.
        var hosting = cluster.Silos.Select(s => SiloProcess.ChildPids(s.ProcessId).Count).ToArray();
        Assert.IsGreaterThanOrEqualTo(2, hosting.Count(n => n > 0), $"component processes per silo: {string.Join(", ", hosting)}");
        Assert.IsGreaterThanOrEqualTo(8, hosting.Sum(), $"component processes per silo: {string.Join(", ", hosting)}");

        // Every flow answers through every silo's API, wherever its grains live.
        foreach (var flowId in flows)
        {
            foreach (var silo in cluster.Silos)
            {
                var answer = await silo.Http.PostAsync($"/api/flows/{flowId}/messages?wait=true&timeout=30", Json("""{"name":"ada"}"""));
                var body = await answer.Content.ReadAsStringAsync();
                Assert.AreEqual(HttpStatusCode.OK, answer.StatusCode, $"{flowId} through {silo.BaseAddress}: {body}");
                StringAssert.Contains(body, "\"ADA\"");
            }
        }

        // The SDK finds the cluster through the same membership table.
        await using var sdk = await SdkHost.StartAsync(cluster.ConfigureClient);
        var listed = await sdk.Client.ListFlowsAsync();
        CollectionAssert.IsSubsetOf(flows, listed.Select(f => f.FlowId).ToArray());
        var sdkFlow = await SdkFlows.StartAsync(sdk.Client, SdkFlows.ShoutAndReply(), FlowMode.Realtime, prefix: "sdk");
        var reply = await sdk.Client.SendAndWaitAsync(sdkFlow, """{"name":"lin"}""", TimeSpan.FromSeconds(30));
        Assert.AreEqual(FlowEventKind.HttpReply, reply.Event?.Kind, reply.Event?.Error ?? "timed out");
        Assert.AreEqual("LIN", JsonDocument.Parse(reply.Body!).RootElement.GetProperty("name").GetString());

        // The durable stream provider for ordinary flows is there: its pulling agents made the cluster's queues.
        var queues = new List<string>();
        await foreach (var queue in new QueueServiceClient(cluster.ConnectionString).GetQueuesAsync(prefix: $"{cluster.Prefix}-flows-"))
        {
            queues.Add(queue.Name);
        }

        CollectionAssert.AreEquivalent(new AzureResourceNames(cluster.Prefix).StreamQueues(8), queues);

        // A silo killed outright is declared dead by the others within the Azure profile's detection time.
        var victim = cluster.Silos[2];
        var clock = Stopwatch.StartNew();
        var orphans = SiloProcess.ChildPids(victim.ProcessId);
        await victim.KillAloneAsync();
        await WaitForActiveSilosAsync(cluster, 2);
        var detected = clock.Elapsed;
        foreach (var pid in orphans)
        {
            KillIfAlive(pid);
        }

        TestContext.WriteLine($"component processes per silo: {string.Join(", ", hosting)}; killed silo declared dead after {detected.TotalSeconds:F1} s");
        Assert.IsLessThan(TimeSpan.FromSeconds(30), detected, "ProbeTimeout 2 s × 3 missed probes, plus a vote and a table write");
    }

    [TestMethod]
    public async Task ThreeSiloCluster_KeepsEverythingAcrossAFullRestart()
    {
        var first = await AzureSiloCluster.StartAsync(3);
        UserWorld world;
        try
        {
            await WaitForActiveSilosAsync(first, 3);
            world = await UserWorld.CreateAsync(first.Silos[0].Http, WarmUp);
        }
        finally
        {
            await first.StopAsync();
        }

        await using var second = await AzureSiloCluster.StartAsync(3, identity: first);
        await WaitForActiveSilosAsync(second, 3);
        // Another silo than the one the world was made on.
        await world.AssertSurvivedAsync(second.Silos[2], WarmUp);
    }

    public TestContext TestContext { get; set; } = null!;

    private static void KillIfAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (ArgumentException)
        {
            // already gone
        }
    }

    private static async Task WaitForActiveSilosAsync(AzureSiloCluster cluster, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        IReadOnlyList<string> active = [];
        while (!timeout.IsCancellationRequested)
        {
            active = await cluster.ActiveSilosAsync();
            if (active.Count == count)
            {
                return;
            }

            await Task.Delay(200, CancellationToken.None);
        }

        Assert.Fail($"The membership table lists {active.Count} active silos, not {count}: {string.Join(", ", active)}");
    }

    private static async Task DeployAsync(HttpClient admin)
    {
        foreach (var (id, deployment) in new[] { ("transform", Silo.Samples.SampleDeployments.Transform()), ("echo", Silo.Samples.SampleDeployments.Echo()) })
        {
            var deployed = await admin.PostAsync($"/api/components/{id}/revisions", Json(JsonSerializer.Serialize(deployment, JsonSerializerOptions.Web)));
            Assert.IsTrue(deployed.IsSuccessStatusCode, await deployed.Content.ReadAsStringAsync());
        }
    }

    private static async Task<string> StartFlowAsync(HttpClient admin, string mode)
    {
        var flowId = SdkFlows.NewId(mode == "Realtime" ? "rt" : "ord");
        foreach (var (method, route, body) in new (HttpMethod, string, string?)[]
                 {
                     (HttpMethod.Put, "draft", JsonSerializer.Serialize(SdkFlows.Shout(), JsonSerializerOptions.Web)),
                     (HttpMethod.Post, "publish", null),
                     (HttpMethod.Put, "mode", $$"""{"mode":"{{mode}}"}"""),
                     (HttpMethod.Post, "start", null),
                 })
        {
            var response = await admin.SendAsync(new HttpRequestMessage(method, $"/api/flows/{flowId}/{route}") { Content = body is null ? null : Json(body) });
            Assert.IsTrue(response.IsSuccessStatusCode, $"{route}: {await response.Content.ReadAsStringAsync()}");
        }

        return flowId;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
