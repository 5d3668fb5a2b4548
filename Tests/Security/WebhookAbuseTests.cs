using System.Globalization;
using System.Net;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Infrastructure;
using static FlowActors.Tests.Api.WebhookTests;

namespace FlowActors.Tests.Security;

/// <summary>
/// Unauthenticated abuse of the webhook listener against the real Silo process: what it costs the silo. The rate
/// limits are lifted where a test is about what happens to requests that get past them.
/// </summary>
[TestClass]
[TestCategory("Security")]
public sealed class WebhookAbuseTests
{
    [TestMethod]
    public async Task RateLimits_Answer429WithRetryAfter_BeforeReadingTheBody()
    {
        await using var silo = await SiloProcess.StartAsync();
        using var hooks = silo.NewWebhookClient();
        await DeployAsync(silo.Http);
        var (flowId, secret) = await StartFlowWithWebhookAsync(silo.Http, "Ordinary", reply: false);

        var statuses = new List<(HttpStatusCode Status, string? RetryAfter)>();
        for (var i = 0; i < 150; i++)
        {
            using var response = await hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", secret + "0"));
            statuses.Add((response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(CultureInfo.InvariantCulture)));
        }

        var limited = statuses.Where(s => s.Status == HttpStatusCode.TooManyRequests).ToArray();
        Console.WriteLine($"150 requests from one client: {statuses.Count(s => s.Status == HttpStatusCode.Unauthorized)}×401, {limited.Length}×429");
        Assert.IsGreaterThan(0, limited.Length, "the shipped per-client burst is 100");
        Assert.IsTrue(limited.All(s => s.RetryAfter is not null && double.Parse(s.RetryAfter, CultureInfo.InvariantCulture) >= 1), "every 429 says when to come back");
        Assert.IsTrue(statuses.All(s => s.Status is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests));
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task TenThousandRequestsToRandomFlowIds_ActivateNoGrain()
    {
        await using var silo = await SiloProcess.StartAsync(SiloProcess.NoRateLimits);
        using var hooks = silo.NewWebhookClient();
        await using var sdk = await SdkHost.StartAsync(silo);
        var management = sdk.Cluster.GetGrain<IManagementGrain>(0);
        var before = await FlowActorsActivationsAsync(management);

        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var flowId = $"r{Guid.NewGuid():N}";
            var request = (i % 3) switch
            {
                0 => Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", secret: "wrong"),
                1 => Signed(HttpMethod.Put, $"/hooks/{flowId}/x?y=1", "{}", Grains.Webhooks.WebhookCredentials.NewSecret()),
                _ => Hook(HttpMethod.Get, $"/hooks/{flowId}/a/b", "", secret: null),
            };
            using var response = await hooks.SendAsync(request, ct);
            statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
        });

        var after = await FlowActorsActivationsAsync(management);
        Console.WriteLine($"10,000 requests to random flow ids: {string.Join(", ", statuses.Select(s => $"{s.Value}×{(int)s.Key}"))}; " +
            $"FlowActors activations {before.Sum(a => a.Value)} before, {after.Sum(a => a.Value)} after");
        Assert.AreEqual(10_000, statuses.GetValueOrDefault(HttpStatusCode.NotFound));
        CollectionAssert.AreEquivalent(before, after, $"before: {Describe(before)}; after: {Describe(after)}");
    }

    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public async Task MemoryComesBack_AfterTwoThousandOneMegabyteBodiesWithWrongCredentials()
    {
        await using var silo = await SiloProcess.StartAsync(SiloProcess.NoRateLimits);
        using var hooks = silo.NewWebhookClient();
        await DeployAsync(silo.Http);
        var (flowId, secret) = await StartFlowWithWebhookAsync(silo.Http, "Ordinary", reply: false);
        var warm = await hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", secret));
        Assert.AreEqual(HttpStatusCode.Accepted, warm.StatusCode);
        var started = await ProcessMemory.SettledRssAsync(silo.ProcessId, TimeSpan.FromSeconds(30));

        var body = "{\"pad\":\"" + new string('x', (1024 * 1024) - 12) + "\"}";
        var report = new List<string> { $"post-start RSS {ProcessMemory.Mb(started)}" };
        foreach (var (name, make) in new (string, Func<HttpRequestMessage>)[]
                 {
                     ("wrong secret", () => Hook(HttpMethod.Post, $"/hooks/{flowId}", body, secret[..^1] + (secret[^1] == '0' ? "1" : "0"))),
                     ("wrong signature", () => Signed(HttpMethod.Post, $"/hooks/{flowId}", body, Grains.Webhooks.WebhookCredentials.NewSecret())),
                 })
        {
            var statuses = await SendAsync(hooks, make, count: 2000, concurrency: 200);
            var settled = await ProcessMemory.SettledRssAsync(silo.ProcessId, TimeSpan.FromSeconds(120));
            var peak = ProcessMemory.Rss(silo.ProcessId).Peak; // the high-water mark so far
            report.Add($"{name}: {string.Join(", ", statuses.Select(s => $"{s.Value}×{s.Key}"))}; peak RSS {ProcessMemory.Mb(peak)}, settled {ProcessMemory.Mb(settled)}");
            Console.WriteLine(report[^1]);
            Assert.IsLessThanOrEqualTo(2 * started, settled, string.Join("\n", report));
        }

        Console.WriteLine(string.Join("\n", report));
    }

    /// <summary>Sends <paramref name="count"/> requests, <paramref name="concurrency"/> at a time; counts the answers (or why there was none).</summary>
    private static async Task<SortedDictionary<string, int>> SendAsync(HttpClient hooks, Func<HttpRequestMessage> make, int count, int concurrency)
    {
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, ct) =>
        {
            string outcome;
            try
            {
                using var response = await hooks.SendAsync(make(), ct);
                outcome = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException e)
            {
                outcome = "closed:" + e.HttpRequestError; // the server answered early and closed instead of draining the body
            }

            statuses.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        });
        Assert.IsTrue(statuses.Keys.All(k => k is "401" || k.StartsWith("closed:", StringComparison.Ordinal)), string.Join(", ", statuses));
        return new SortedDictionary<string, int>(statuses);
    }

    private static async Task<Dictionary<string, int>> FlowActorsActivationsAsync(IManagementGrain management) =>
        (await management.GetSimpleGrainStatistics())
            .Where(s => s.GrainType.Contains("FlowActors", StringComparison.Ordinal))
            .GroupBy(s => s.GrainType)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));

    private static string Describe(Dictionary<string, int> activations) =>
        string.Join(", ", activations.OrderBy(a => a.Key).Select(a => $"{a.Key.Split('.')[^1]} {a.Value}"));
}
