using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Webhooks;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;
using static FlowActors.Tests.Api.HttpApiTests;

namespace FlowActors.Tests.Api;

/// <summary>Webhooks over real HTTP against the Silo process: credentials, bad input, and request/reply on a real-time flow.</summary>
[TestClass]
public sealed class WebhookTests
{
    internal const string SecretHeader = "X-Webhook-Secret";
    internal const string TimestampHeader = "X-Webhook-Timestamp";
    internal const string SignatureHeader = "X-Webhook-Signature";

    private static SiloProcess s_silo = null!;
    private static HttpClient s_hooks = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_silo = await SiloProcess.StartAsync("--FlowActors:Api:MaxBodyBytes=4096", "--FlowActors:Webhooks:ReplyTimeout=00:00:20");
        s_hooks = s_silo.NewWebhookClient();
        await DeployAsync(s_silo.Http);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        s_hooks.Dispose();
        await s_silo.DisposeAsync();
    }

    [TestMethod]
    public async Task RealtimeFlow_AnswersTheRequest_WithItsHttpReply()
    {
        var (flowId, secret) = await StartFlowWithWebhookAsync(s_silo.Http, "Realtime", reply: true);

        var response = await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}/orders?x=1", """{"name":"ada"}""", secret));

        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
        Assert.AreEqual("ADA", JsonDocument.Parse(text).RootElement.GetProperty("name").GetString());
    }

    [TestMethod]
    public async Task OrdinaryFlow_Answers202_WithTheExecutionId_AndPassesTheRequestOn()
    {
        var (flowId, secret) = await StartFlowWithWebhookAsync(s_silo.Http, "Ordinary", reply: false);
        await using var sdk = await SdkHost.StartAsync(s_silo);
        using var follow = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = await sdk.Client.FollowSubscribedAsync(flowId, follow.Token); // the webhook sends through the silo, not this client

        var body = """{"name":"bob"}""";
        var request = Signed(HttpMethod.Put, $"/hooks/{flowId}/a/b?q=1&r=2", body, secret);
        request.Headers.Add("X-Request-Id", "req-1");
        var response = await s_hooks.SendAsync(request);

        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode, await response.Content.ReadAsStringAsync());
        var executionId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executionId").GetString()!;
        Assert.AreEqual($"/api/flows/{flowId}/executions/{executionId}", response.Headers.Location?.OriginalString);
        var output = await events.FirstAsync(e => e.ExecutionId == executionId, follow.Token);
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        Assert.AreEqual("BOB", JsonDocument.Parse(output.Message!.Body).RootElement.GetProperty("name").GetString());
        var headers = output.Message.Headers;
        Assert.AreEqual("PUT", headers[WebhookHeaders.Method]);
        Assert.AreEqual("/a/b", headers[WebhookHeaders.Path]);
        Assert.AreEqual("?q=1&r=2", headers[WebhookHeaders.Query]);
        Assert.AreEqual("req-1", headers[WebhookHeaders.HeaderPrefix + "x-request-id"]);
        Assert.IsFalse(headers.Keys.Any(k => k.Contains("webhook", StringComparison.OrdinalIgnoreCase)), "credentials are not passed on");
        var execution = await FlowActorsClientTests.PollAsync(
            () => s_silo.Http.GetAsync($"/api/flows/{flowId}/executions/{executionId}"), r => r.IsSuccessStatusCode);
        Assert.AreEqual(HttpStatusCode.OK, execution.StatusCode, await execution.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task BadRequests_GetTheirStatus_AndAProblemBody()
    {
        var (flowId, secret) = await StartFlowWithWebhookAsync(s_silo.Http, "Ordinary", reply: false);
        var (stoppedId, stoppedSecret) = await StartFlowWithWebhookAsync(s_silo.Http, "Ordinary", reply: false);
        await s_silo.Http.PostAsync($"/api/flows/{stoppedId}/stop", null);

        await Problems.AssertUnauthorizedAsync(await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", secret: null)));
        await Problems.AssertUnauthorizedAsync(await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", secret + "0")));
        await Problems.AssertUnauthorizedAsync(await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", stoppedSecret)));
        var badSignature = Signed(HttpMethod.Post, $"/hooks/{flowId}", "{ }", secret);
        badSignature.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        await Problems.AssertUnauthorizedAsync(await s_hooks.SendAsync(badSignature));

        await Problems.AssertAsync(await s_hooks.SendAsync(Hook(HttpMethod.Post, "/hooks/no-such-flow", "{}", secret)), HttpStatusCode.NotFound);
        await Problems.AssertAsync(await s_hooks.SendAsync(Hook(HttpMethod.Post, "/hooks/bad%20id", "{}", secret)), HttpStatusCode.NotFound);
        await Problems.AssertAsync(await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{stoppedId}", "{}", stoppedSecret)),
            HttpStatusCode.Conflict, $"POST /api/flows/{stoppedId}/start");
        await Problems.AssertAsync(await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", "{\"a\":\n  [1,}", secret)),
            HttpStatusCode.BadRequest, "line 2, byte");
        await Problems.AssertAsync(await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", new string('x', 5000), secret)),
            HttpStatusCode.RequestEntityTooLarge, "4096 bytes");
    }

    [TestMethod]
    public async Task RotatingTheSecret_RefusesTheOldOne()
    {
        var (flowId, secret) = await StartFlowWithWebhookAsync(s_silo.Http, "Ordinary", reply: false);
        var rotated = (await (await s_silo.Http.PostAsync($"/api/flows/{flowId}/webhook", null)).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("secret").GetString()!;

        await Problems.AssertUnauthorizedAsync(await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", secret)));
        Assert.AreEqual(HttpStatusCode.Accepted, (await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", rotated))).StatusCode);

        Assert.AreEqual(HttpStatusCode.NoContent, (await s_silo.Http.DeleteAsync($"/api/flows/{flowId}/webhook")).StatusCode);
        await Problems.AssertAsync(await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", rotated)), HttpStatusCode.NotFound);
    }

    internal static async Task DeployAsync(HttpClient admin)
    {
        foreach (var (id, deployment) in new[] { ("transform", SampleDeployments.Transform()), ("echo", SampleDeployments.Echo()) })
        {
            (await admin.PostAsJsonAsync($"/api/components/{id}/revisions", deployment)).EnsureSuccessStatusCode();
        }
    }

    /// <summary>A started flow (shout, then echo or reply) with a webhook; returns its id and the webhook secret.</summary>
    internal static async Task<(string FlowId, string Secret)> StartFlowWithWebhookAsync(HttpClient admin, string mode, bool reply)
    {
        var flowId = SdkFlows.NewId("hook");
        (await admin.PutAsJsonAsync($"/api/flows/{flowId}/draft", reply ? SdkFlows.ShoutAndReply() : SdkFlows.Shout())).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await admin.PutAsync($"/api/flows/{flowId}/mode", Json($$"""{"mode":"{{mode}}"}"""))).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        var created = await (await admin.PostAsync($"/api/flows/{flowId}/webhook", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.AreEqual($"/hooks/{flowId}", created.GetProperty("path").GetString());
        return (flowId, created.GetProperty("secret").GetString()!);
    }

    /// <summary>A request signed as a sender signs it: timestamp, method, path and query, body.</summary>
    internal static HttpRequestMessage Signed(HttpMethod method, string path, string body, string secret, DateTimeOffset? at = null)
    {
        var request = Hook(method, path, body, secret: null);
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        request.Headers.Add(TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(SignatureHeader, WebhookCredentials.Sign(secret, timestamp, method.Method, path, Encoding.UTF8.GetBytes(body)));
        return request;
    }

    internal static HttpRequestMessage Hook(HttpMethod method, string path, string body, string? secret)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (secret is not null)
        {
            request.Headers.Add(SecretHeader, secret);
        }

        return request;
    }
}
