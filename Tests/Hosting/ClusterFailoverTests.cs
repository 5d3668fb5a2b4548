using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text;
using Azure.Storage.Blobs;
using FlowActors.Client.Hosting;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Processes;
using FlowActors.TestSupport.Silos;
using Orleans.Runtime.Placement;

namespace FlowActors.Tests.Hosting;

/// <summary>
/// What a cluster does while it loses a silo, seen from outside: three <c>Silo</c> processes in the Azure profile on
/// Azurite, real-time flows taking messages through the survivors' HTTP APIs, one silo SIGKILLed. Senders get an answer
/// they can act on (202, or 503 with Retry-After, never 500), every real-time flow runs again on the survivors within
/// 15 s with each step's status naming a living process, and no grain state write is refused for its ETag afterwards:
/// the steps keep storing the ids they completed.
/// </summary>
[TestClass]
[TestCategory("Azure")]
public sealed class ClusterFailoverTests
{
    private const int Flows = 4;
    private const int PerSecondPerFlow = 15;
    private static readonly TimeSpan BackWithin = TimeSpan.FromSeconds(15);

    [TestMethod]
    public async Task SiloKilled_SendersGetNo500_FlowsRunAgainWithin15s_StepStatusNamesLiveProcesses_NoStateWriteIsRefused()
    {
        await using var cluster = await AzureSiloCluster.StartAsync(3, null, "--Logging:Console:TimestampFormat=HH:mm:ss.fff ");
        await cluster.WaitForActiveAsync(3, TimeSpan.FromSeconds(60));
        await using var sdk = await SdkHost.StartAsync(cluster.ConfigureClient);
        await sdk.Client.DeployComponentAsync("transform", SampleDeployments.Transform());
        await sdk.Client.DeployComponentAsync("echo", SampleDeployments.Echo());

        // Half the flows' grains (and what they activate first: catalog entry, execution log) on the victim, so that sends
        // meet grains of the dead silo; the steps spread by activation count, so that survivors host some of the victim's.
        var victim = cluster.Silos[2];
        var survivors = cluster.Silos.Take(2).ToArray();
        var victimAddress = await AddressOfAsync(sdk, victim);
        var flows = new List<string>();
        for (var i = 0; i < Flows; i++)
        {
            var flowId = $"fo{i}-{Guid.NewGuid():N}"[..20];
            var draft = FlowDefinition.Chain(
                "failover", new StepDefinition("shout", "transform", "uppercase", """{"field":"name"}"""), new StepDefinition("answer", "echo", "echo"));
            if (i % 2 == 0)
            {
                await OnSiloAsync(victimAddress, () => sdk.Client.SaveDraftAsync(flowId, draft));
            }
            else
            {
                await sdk.Client.SaveDraftAsync(flowId, draft);
            }

            await sdk.Client.PublishAsync(flowId);
            await sdk.Client.SetModeAsync(flowId, FlowMode.Realtime);
            await sdk.Client.StartAsync(flowId);
            flows.Add(flowId);
        }

        foreach (var flowId in flows)
        {
            await sdk.Client.WaitUntilRunningAsync(flowId, TimeSpan.FromSeconds(60));
        }

        var run = Stopwatch.StartNew();
        var senders = flows.Select((flowId, i) => new Sender(flowId, survivors[i % survivors.Length].Http, run)).ToArray();
        using var stop = new CancellationTokenSource();
        var sending = senders.Select(s => s.RunAsync(PerSecondPerFlow, stop.Token)).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(2)); // traffic on every flow before the kill

        var victimComponents = SiloProcess.ChildPids(victim.ProcessId).ToHashSet();
        await victim.KillAloneAsync();
        var killedAt = run.Elapsed;
        try
        {
            await AssertFailoverAsync(cluster, sdk, flows, senders, sending, stop, run, killedAt, victimComponents, survivors);
        }
        catch
        {
            // The silos' own account (timestamped), for whoever reads the failure.
            TestContext.WriteLine($"killed at {DateTime.Now - (run.Elapsed - killedAt):HH:mm:ss.fff}");
            foreach (var silo in survivors)
            {
                TestContext.WriteLine($"--- silo {silo.SiloPort}:\n{string.Join('\n', silo.Output.TakeLast(400))}");
            }

            throw;
        }
    }

    private async Task AssertFailoverAsync(
        AzureSiloCluster cluster, SdkHost sdk, IReadOnlyList<string> flows, Sender[] senders, Task[] sending, CancellationTokenSource stop,
        Stopwatch run, TimeSpan killedAt, HashSet<int> victimComponents, SiloProcess[] survivors)
    {

        // Every flow Running again, every step Ready on a component process that lives (not one of the dead silo's).
        var pending = flows.ToHashSet();
        var backAt = new Dictionary<string, TimeSpan>();
        var last = new Dictionary<string, string>();
        while (pending.Count > 0 && run.Elapsed - killedAt < TimeSpan.FromSeconds(60))
        {
            foreach (var flowId in pending.ToArray())
            {
                try
                {
                    var status = await sdk.Client.GetStatusAsync(flowId).WaitAsync(TimeSpan.FromSeconds(2));
                    last[flowId] = Describe(status);
                    if (status.Lifecycle == FlowLifecycle.Running && status.Steps.All(s => s.Phase == StepPhase.Ready && RunsOnSurvivor(s.ContainerId, victimComponents)))
                    {
                        backAt[flowId] = run.Elapsed - killedAt;
                        pending.Remove(flowId);
                    }
                }
                catch (Exception e) when (e is TimeoutException or ClusterUnavailableException)
                {
                    last[flowId] = e.GetType().Name; // a grain of the dead silo, before it is declared dead
                }
            }

            await Task.Delay(100);
        }

        TestContext.WriteLine($"back Running at: {string.Join(", ", backAt.Select(b => $"{b.Key} {b.Value.TotalSeconds:F1} s"))}");
        Assert.IsEmpty(pending, $"not Running on the survivors 60 s after the kill: {string.Join("; ", pending.Select(f => $"{f}: {last.GetValueOrDefault(f)}"))}");
        var slowest = backAt.Values.Max();
        Assert.IsLessThanOrEqualTo(BackWithin, slowest, $"a real-time flow ran again only {slowest.TotalSeconds:F1} s after the kill");

        // Traffic after the failover, then each flow's steps store the ids they completed (at most once a second: the
        // last message, sent a while after the others, makes them store what came before it).
        var recovered = run.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(sending);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        foreach (var sender in senders)
        {
            await sender.SendAndWaitAsync();
        }

        var refused = senders.SelectMany(s => s.Failures).ToArray();
        TestContext.WriteLine($"sends: {string.Join("; ", senders.Select(s => s.ToString()))}");
        Assert.IsEmpty(refused, $"senders got answers other than 202 or 503 + Retry-After:\n{string.Join("\n", refused.Take(10))}");

        var blobs = new BlobServiceClient(cluster.ConnectionString).GetBlobContainerClient(new AzureResourceNames(cluster.Prefix).GrainStateContainer);
        foreach (var sender in senders)
        {
            Assert.IsNotEmpty(sender.AcceptedSince(recovered), $"{sender.FlowId}: nothing accepted after the failover");
            await AssertStoredAsync(blobs, sender.FlowId, "shout", () => sender.AcceptedSince(recovered), sender.SendAndWaitAsync);
            await AssertStoredAsync(blobs, sender.FlowId, "answer",
                () => sender.AcceptedSince(recovered).Select(id => FlowMessage.DeriveId(id, "shout", 0)).ToArray(), sender.SendAndWaitAsync);
        }

        var conflicts = survivors.SelectMany(s => s.Output.Where(IsStateConflict).Select(line => $"silo {s.SiloPort}: {line}")).ToArray();
        Assert.IsEmpty(conflicts, $"state writes refused for their ETag after the failover:\n{string.Join("\n", conflicts.Take(10))}");

        // The survivors' own grains stayed where they were: none was deactivated because its directory entry died.
        var moved = survivors.SelectMany(s => s.Output.Where(line => line.Contains("(DirectoryFailure)", StringComparison.Ordinal))).ToArray();
        Assert.IsEmpty(moved, $"steps on surviving silos lost their activation with the dead silo's directory:\n{string.Join("\n", moved)}");

        foreach (var flowId in flows)
        {
            await sdk.Client.StopAsync(flowId);
        }
    }

    public TestContext TestContext { get; set; } = null!;

    private static bool IsStateConflict(string line) =>
        line.Contains("InconsistentStateException", StringComparison.Ordinal)
        || line.Contains("could not store", StringComparison.Ordinal)
        || line.Contains("ConditionNotMet", StringComparison.Ordinal);

    private static bool RunsOnSurvivor(string? containerId, HashSet<int> deadComponents) =>
        containerId is { } id && ContainerProcesses.Pid(id) is var pid && !deadComponents.Contains(pid) && ContainerProcesses.IsAlive(pid);

    private static string Describe(FlowStatus status) =>
        $"{status.Lifecycle} [{string.Join(", ", status.Steps.Select(s => $"{s.StepId}={s.Phase}/{s.ContainerId}"))}]";

    /// <summary>
    /// The step's stored state (a blob) holds the id of at least one message it completed after the failover. A step
    /// stores its window after it published the outputs, at most once a second and only when it completes a message,
    /// so the sender's reply can come before the write lands, and a busy machine can put the last completion inside the
    /// same second as the save before it: the blob is read again, with one more message sent each time (<paramref
    /// name="sendOne"/>), until it holds one, for a bounded time.
    /// </summary>
    private static async Task AssertStoredAsync(
        BlobContainerClient blobs, string flowId, string stepId, Func<IReadOnlyList<string>> completedAfterFailover, Func<Task> sendOne)
    {
        var key = $"{flowId}/{stepId}";
        var clock = Stopwatch.StartNew();
        while (true)
        {
            string? name = null;
            await foreach (var blob in blobs.GetBlobsAsync())
            {
                if (blob.Name.StartsWith("step-", StringComparison.Ordinal) && blob.Name.Contains(key, StringComparison.Ordinal))
                {
                    name = blob.Name;
                }
            }

            if (name is not null)
            {
                var stored = (await blobs.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();
                var completedAfter = completedAfterFailover();
                if (completedAfter.Any(id => stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(id)) >= 0))
                {
                    return;
                }
            }

            // 30 s, not 15: the first bound was passed by 7 ms in a full run beside another engineer's tests (load ~15).
            Assert.IsLessThan(TimeSpan.FromSeconds(30), clock.Elapsed,
                name is null ? $"no stored state for step {key}" : $"step {key}: its stored window holds none of the {completedAfterFailover().Count} ids it completed after the failover");
            await Task.Delay(250); // storage has no change notification to wait on
            await sendOne();
        }
    }

    private static async Task<SiloAddress> AddressOfAsync(SdkHost sdk, SiloProcess silo)
    {
        var hosts = await sdk.Cluster.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        return hosts.Keys.Single(a => a.Endpoint.Port == silo.SiloPort);
    }

    private static async Task OnSiloAsync(SiloAddress silo, Func<Task> firstCall)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            await firstCall();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    /// <summary>
    /// Sends numbered messages to one flow through one silo's HTTP API at a steady pace, as a caller that honours 503 +
    /// Retry-After does; keeps every other answer as a failure.
    /// </summary>
    private sealed class Sender(string flowId, HttpClient api, Stopwatch clock)
    {
        private readonly ConcurrentQueue<(string ExecutionId, TimeSpan At)> _accepted = new();
        private readonly ConcurrentQueue<string> _failures = new();
        private int _unavailable;

        public string FlowId => flowId;

        public IReadOnlyList<string> Failures => [.. _failures];

        /// <summary>Execution ids accepted at or after <paramref name="at"/> on the run's clock.</summary>
        public IReadOnlyList<string> AcceptedSince(TimeSpan at) => [.. _accepted.Where(a => a.At >= at).Select(a => a.ExecutionId)];

        public async Task RunAsync(int perSecond, CancellationToken cancellationToken)
        {
            var pace = Stopwatch.StartNew();
            for (var n = 0; !cancellationToken.IsCancellationRequested; n++)
            {
                var due = TimeSpan.FromSeconds((double)n / perSecond) - pace.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, CancellationToken.None);
                }

                await SendOneAsync($$"""{"name":"m{{n}}"}""", wait: false);
            }
        }

        public Task SendAndWaitAsync() => SendOneAsync("""{"name":"last"}""", wait: true);

        private async Task SendOneAsync(string body, bool wait)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                HttpResponseMessage response;
                try
                {
                    response = await api.PostAsync($"/api/flows/{flowId}/messages{(wait ? "?wait=true&timeout=20" : "")}",
                        new StringContent(body, Encoding.UTF8, "application/json"));
                }
                catch (HttpRequestException e)
                {
                    _failures.Enqueue($"{flowId}: {e.Message}");
                    return;
                }

                using (response)
                {
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
                    {
                        _accepted.Enqueue((JsonDocument.Parse(text).RootElement.GetProperty("executionId").GetString()!, clock.Elapsed));
                        return;
                    }

                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter?.Delta is { } after)
                    {
                        Interlocked.Increment(ref _unavailable);
                        await Task.Delay(after < TimeSpan.FromSeconds(2) ? after : TimeSpan.FromSeconds(2));
                        continue;
                    }

                    _failures.Enqueue($"{flowId}: {(int)response.StatusCode} {text}");
                    await Task.Delay(200); // and sends it again, as a caller would
                }
            }
        }

        public override string ToString() => $"{flowId}: {_accepted.Count} accepted, {_unavailable} × 503, {_failures.Count} failed";
    }
}
