using System.Net;
using FlowActors.TestSupport.Silos;
using static FlowActors.Tests.Api.WebhookTests;

namespace FlowActors.Tests.Api;

/// <summary>
/// A signed webhook request is accepted once, whatever dies in between: the signatures the silos accepted are kept
/// durably where every silo checks them (the embedded profile's database file; an Azure Table in a cluster), not in the
/// memory of the silo that checked them, which a crash would empty for one replay.
/// </summary>
[TestClass]
public sealed class ReplayGuardTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>One signing time for a test's captured request, so that every copy of it carries the same signature.</summary>
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.UtcNow;

    [TestMethod]
    public async Task SignedRequest_ReplayedAfterTheSiloWasKilledAndStartedAgain_IsRefused()
    {
        var dataFolder = Directory.CreateTempSubdirectory("flowactors-replay-").FullName;
        try
        {
            string flowId, secret;
            HttpRequestMessage Captured() => Signed(HttpMethod.Post, $"/hooks/{flowId}", """{"name":"once"}""", secret, at: SignedAt);
            await using (var first = await SiloProcess.StartInAsync(dataFolder))
            {
                await DeployAsync(first.Http);
                (flowId, secret) = await StartFlowWithWebhookAsync(first.Http, "Ordinary", reply: false);
                using var hooks = first.NewWebhookClient();
                Assert.AreEqual(HttpStatusCode.Accepted, (await SendUntilServedAsync(hooks, Captured())).StatusCode);
                await first.KillAloneAsync(); // what a crash does: nothing is flushed or handed over
            }

            await using var second = await SiloProcess.StartInAsync(dataFolder);
            using var again = second.NewWebhookClient();
            await Problems.AssertUnauthorizedAsync(await SendUntilServedAsync(again, Captured()));
            var fresh = Signed(HttpMethod.Post, $"/hooks/{flowId}", """{"name":"new"}""", secret);
            await AssertAcceptedAsync(await SendUntilServedAsync(again, fresh));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataFolder, recursive: true);
        }
    }

    [TestMethod]
    [TestCategory("Azure")]
    public async Task SignedRequest_ReplayedOnAnotherSiloAfterTheSiloThatAcceptedItWasKilled_IsRefused()
    {
        // Two silos: one vote declares the other dead.
        await using var cluster = await AzureSiloCluster.StartAsync(2, identity: null, "--FlowActors:Membership:NumVotesForDeathDeclaration=1");
        await cluster.WaitForActiveAsync(2, Wait);
        var (accepting, other) = (cluster.Silos[0], cluster.Silos[1]);
        await DeployAsync(accepting.Http);
        var (flowId, secret) = await StartFlowWithWebhookAsync(accepting.Http, "Ordinary", reply: false);
        HttpRequestMessage Captured() => Signed(HttpMethod.Post, $"/hooks/{flowId}", """{"name":"once"}""", secret, at: SignedAt);

        using (var hooks = accepting.NewWebhookClient())
        {
            Assert.AreEqual(HttpStatusCode.Accepted, (await SendUntilServedAsync(hooks, Captured())).StatusCode);
        }

        await accepting.KillAloneAsync();
        using var survivor = other.NewWebhookClient();
        await Problems.AssertUnauthorizedAsync(await SendUntilServedAsync(survivor, Captured()));
        var fresh = Signed(HttpMethod.Post, $"/hooks/{flowId}", """{"name":"new"}""", secret);
        await AssertAcceptedAsync(await SendUntilServedAsync(survivor, fresh));
    }

    private static async Task AssertAcceptedAsync(HttpResponseMessage response) =>
        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode, $"a new signature is accepted: {await response.Content.ReadAsStringAsync()}");

    /// <summary>
    /// Sends until the answer is not 503 (a silo still loading its webhooks, or a cluster settling after the kill), as a
    /// sender honouring Retry-After does; a request is built anew for each try.
    /// </summary>
    private static async Task<HttpResponseMessage> SendUntilServedAsync(HttpClient hooks, HttpRequestMessage request)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Content = new StringContent(await request.Content!.ReadAsStringAsync(), System.Text.Encoding.UTF8, "application/json") };
            foreach (var header in request.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            var response = await hooks.SendAsync(copy);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                return response;
            }

            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
    }
}
