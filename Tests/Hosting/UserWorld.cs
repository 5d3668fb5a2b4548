using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Flows;

namespace FlowActors.Tests.Hosting;

/// <summary>
/// What a user makes through the admin API: components with several revisions, a running ordinary flow with a
/// webhook, a running real-time flow, a stopped real-time flow whose draft differs from what it published. Made
/// on one silo and checked on another: after a restart, or on another silo of the cluster.
/// </summary>
internal sealed class UserWorld
{
    private static readonly string[] Components = ["transform", "delay", "echo"];

    private readonly Dictionary<string, string> _snapshot = new(StringComparer.Ordinal);

    private UserWorld(string suffix)
    {
        OrdinaryFlow = $"ordinary-{suffix}";
        RealtimeFlow = $"realtime-{suffix}";
        EditedFlow = $"edited-{suffix}";
    }

    public string OrdinaryFlow { get; }

    public string RealtimeFlow { get; }

    public string EditedFlow { get; }

    public string WebhookSecret { get; private set; } = "";

    private IEnumerable<string> Flows => [OrdinaryFlow, RealtimeFlow, EditedFlow];

    public static async Task<UserWorld> CreateAsync(HttpClient admin, TimeSpan warmUp)
    {
        var world = new UserWorld(Guid.NewGuid().ToString("N")[..8]);
        await DeployAsync(admin, "transform", SampleDeployments.Transform());
        await DeployAsync(admin, "transform", SampleDeployments.Transform()); // a second revision
        await DeployAsync(admin, "delay", SampleDeployments.Delay());
        await DeployAsync(admin, "echo", SampleDeployments.Echo());

        await CreateFlowAsync(admin, world.OrdinaryFlow, FlowMode.Ordinary, start: true);
        await CreateFlowAsync(admin, world.RealtimeFlow, FlowMode.Realtime, start: true);
        await CreateFlowAsync(admin, world.EditedFlow, FlowMode.Realtime, start: false);
        await Ok(admin.PostAsync($"/api/flows/{world.EditedFlow}/publish", null));
        await Ok(admin.PutAsJsonAsync($"/api/flows/{world.EditedFlow}/draft", FlowDefinition.Chain(
            "edited after publishing",
            new StepDefinition("answer", "echo", "echo"))));
        var webhook = await (await Ok(admin.PostAsync($"/api/flows/{world.OrdinaryFlow}/webhook", null))).Content.ReadFromJsonAsync<JsonElement>();
        world.WebhookSecret = webhook.GetProperty("secret").GetString()!;

        await WaitForRunningAsync(admin, world.RealtimeFlow, warmUp);
        await world.AssertAnswersAsync(admin);
        await world.TakeSnapshotAsync(admin);
        return world;
    }

    /// <summary>
    /// Everything reads back as it was, the running flows run again (the real-time one warm, within
    /// <paramref name="warmUp"/>) and answer messages, and the webhook's secret still opens it.
    /// </summary>
    public async Task AssertSurvivedAsync(SiloProcess silo, TimeSpan warmUp)
    {
        var admin = silo.Http;
        var listed = (await admin.GetFromJsonAsync<JsonElement>("/api/flows")).EnumerateArray().Select(f => f.GetProperty("flowId").GetString()).ToArray();
        CollectionAssert.IsSubsetOf(Flows.ToArray(), listed, $"flows listed: {string.Join(", ", listed)}");
        var components = (await admin.GetFromJsonAsync<JsonElement>("/api/components")).EnumerateArray().Select(c => c.GetProperty("componentId").GetString()).ToArray();
        CollectionAssert.IsSubsetOf(Components, components);

        await WaitForRunningAsync(admin, RealtimeFlow, warmUp);
        foreach (var (route, before) in _snapshot)
        {
            Assert.AreEqual(before, await ReadAsync(admin, route), $"{route} changed");
        }

        await AssertAnswersAsync(admin);
        using var hook = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{OrdinaryFlow}")
        {
            Content = new StringContent("""{"name":"hook"}""", Encoding.UTF8, "application/json"),
        };
        hook.Headers.Add("X-Webhook-Secret", WebhookSecret);
        using var hooks = silo.NewWebhookClient(); // webhooks have a listener of their own
        var answer = await hooks.SendAsync(hook);
        Assert.AreEqual(HttpStatusCode.Accepted, answer.StatusCode, await answer.Content.ReadAsStringAsync());
    }

    /// <summary>Both running flows take a message and answer with the first step's work (the name in upper case).</summary>
    public async Task AssertAnswersAsync(HttpClient admin)
    {
        foreach (var flowId in new[] { OrdinaryFlow, RealtimeFlow })
        {
            var answer = await admin.PostAsync($"/api/flows/{flowId}/messages?wait=true&timeout=30", Json("""{"name":"ada"}"""));
            var body = await answer.Content.ReadAsStringAsync();
            Assert.AreEqual(HttpStatusCode.OK, answer.StatusCode, $"{flowId}: {body}");
            StringAssert.Contains(body, "\"ADA\"", $"{flowId}: {body}");
        }
    }

    public static async Task WaitForRunningAsync(HttpClient admin, string flowId, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var status = default(JsonElement);
        while (clock.Elapsed < timeout)
        {
            status = await admin.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}");
            var lifecycle = status.GetProperty("lifecycle").GetString();
            if (lifecycle == "Running")
            {
                return;
            }

            Assert.AreNotEqual("Failed", lifecycle, status.ToString());
            await Task.Delay(100);
        }

        Assert.Fail($"Flow {flowId} was not Running {timeout.TotalSeconds:0} s later: {status}");
    }

    /// <summary>What must read back the same: each component's revisions, each flow's draft and status.</summary>
    private async Task TakeSnapshotAsync(HttpClient admin)
    {
        var routes = Components.Select(c => $"/api/components/{c}/revisions")
            .Concat(Flows.Select(f => $"/api/flows/{f}/draft"))
            .Concat(Flows.Select(f => $"/api/flows/{f}"));
        foreach (var route in routes)
        {
            _snapshot[route] = await ReadAsync(admin, route);
        }
    }

    /// <summary>A route's answer; a flow's status is reduced to what is stored (steps and errors belong to the run's activation).</summary>
    private static async Task<string> ReadAsync(HttpClient admin, string route)
    {
        var json = await (await Ok(admin.GetAsync(route))).Content.ReadFromJsonAsync<JsonElement>();
        if (route.StartsWith("/api/flows/", StringComparison.Ordinal) && !route.EndsWith("/draft", StringComparison.Ordinal))
        {
            return string.Join(';', new[] { "flowId", "lifecycle", "mode", "publishedRevision", "runningRevision", "unpublishedChanges" }
                .Select(p => $"{p}={json.GetProperty(p)}"));
        }

        return json.ToString();
    }

    private static async Task DeployAsync(HttpClient admin, string componentId, ComponentDeployment deployment) =>
        await Ok(admin.PostAsJsonAsync($"/api/components/{componentId}/revisions", deployment));

    private static async Task CreateFlowAsync(HttpClient admin, string flowId, FlowMode mode, bool start)
    {
        await Ok(admin.PutAsJsonAsync($"/api/flows/{flowId}/draft", SampleFlows.ThreeSteps()));
        await Ok(admin.PostAsync($"/api/flows/{flowId}/publish", null));
        await Ok(admin.PutAsync($"/api/flows/{flowId}/mode", Json($$"""{"mode":"{{mode}}"}""")));
        if (start)
        {
            await Ok(admin.PostAsync($"/api/flows/{flowId}/start", null));
        }
    }

    private static async Task<HttpResponseMessage> Ok(Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.IsTrue(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
