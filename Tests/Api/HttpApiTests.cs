using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;

namespace FlowActors.Tests.Api;

/// <summary>The admin API over real HTTP, against the Silo running as its own process on loopback.</summary>
[TestClass]
public sealed class HttpApiTests
{
    private static SiloProcess s_silo = null!;
    private static HttpClient Http => s_silo.Http;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_silo = await SiloProcess.StartAsync("--FlowActors:Api:MaxBodyBytes=65536");
        foreach (var (id, deployment) in new[] { ("transform", SampleDeployments.Transform()), ("echo", SampleDeployments.Echo()) })
        {
            (await Http.PostAsJsonAsync($"/api/components/{id}/revisions", deployment)).EnsureSuccessStatusCode();
        }
    }

    [ClassCleanup]
    public static async Task StopAsync() => await s_silo.DisposeAsync();

    [TestMethod]
    [DataRow("GET", "/api/flows")]
    [DataRow("GET", "/api/components")]
    [DataRow("PUT", "/api/flows/x/draft")]
    [DataRow("POST", "/api/flows/x/messages")]
    [DataRow("POST", "/api/flows/x/webhook")]
    [DataRow("GET", "/api/flows/x/executions")]
    [DataRow("POST", "/api/check")]
    [DataRow("GET", "/openapi/v1.json")]
    public async Task EveryAdminRoute_WithoutOrWithAWrongKey_Is401SayingWhatIsExpected(string method, string path)
    {
        using var anonymous = s_silo.NewHttpClient(withKey: false);
        await Problems.AssertUnauthorizedAsync(await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("{}") }));

        var wrong = new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("{}") };
        wrong.Headers.Add("X-Api-Key", SiloProcess.ApiKey[..^1] + "x");
        await Problems.AssertUnauthorizedAsync(await anonymous.SendAsync(wrong));
    }

    [TestMethod]
    public async Task OpenApiDocument_DescribesTheApiAndTheWebhooks()
    {
        var document = JsonDocument.Parse(await Http.GetStringAsync("/openapi/v1.json")).RootElement;

        StringAssert.StartsWith(document.GetProperty("openapi").GetString(), "3.");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray();
        foreach (var expected in new[]
                 {
                     "/api/flows", "/api/flows/{flowId}/draft", "/api/flows/{flowId}/start", "/api/flows/{flowId}/messages",
                     "/api/flows/{flowId}/executions", "/api/components/{componentId}/revisions", "/api/flows/{flowId}/webhook", "/hooks/{flowId}",
                 })
        {
            CollectionAssert.Contains(paths, expected, string.Join(", ", paths));
        }
    }

    [TestMethod]
    public async Task Flow_DraftPublishStartModeStop_OverHttp()
    {
        var flowId = SdkFlows.NewId("http");
        var saved = await Http.PutAsJsonAsync($"/api/flows/{flowId}/draft", SdkFlows.Shout());
        Assert.AreEqual(HttpStatusCode.OK, saved.StatusCode, await saved.Content.ReadAsStringAsync());
        Assert.AreEqual(HttpStatusCode.OK, (await Http.PostAsync($"/api/flows/{flowId}/publish", null)).StatusCode);
        var started = await Http.PostAsync($"/api/flows/{flowId}/start", null);
        Assert.AreEqual("Running", (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("lifecycle").GetString());

        await Problems.AssertAsync(await Http.PutAsync($"/api/flows/{flowId}/mode", Json("""{"mode":"Realtime"}""")),
            HttpStatusCode.Conflict, "Stop the flow first");
        var listed = await Http.GetFromJsonAsync<JsonElement>("/api/flows");
        Assert.IsTrue(listed.EnumerateArray().Any(f => f.GetProperty("flowId").GetString() == flowId));

        await Http.PostAsync($"/api/flows/{flowId}/stop", null);
        var mode = await Http.PutAsync($"/api/flows/{flowId}/mode", Json("""{"mode":"Realtime"}"""));
        Assert.AreEqual("Realtime", (await mode.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mode").GetString());
    }

    [TestMethod]
    public async Task InvalidDraft_Is400_WithEveryFieldNamed()
    {
        var draft = """{"name":"","steps":[{"id":"a b","componentId":"nope","action":"x"}],"edges":[]}""";
        var problem = await Problems.AssertAsync(await Http.PutAsync($"/api/flows/{SdkFlows.NewId("bad")}/draft", Json(draft)), HttpStatusCode.BadRequest);

        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
        CollectionAssert.IsSubsetOf(new[] { "name", "steps[0].id", "steps[0].componentId" }, fields, string.Join(", ", fields));
    }

    [TestMethod]
    public async Task StepConcurrency_ThatCannotBe_Is400_NamingTheField_AsIsAComponentsBadMaximum()
    {
        var draft = """
            {"name":"parallel","steps":[
              {"id":"a","componentId":"echo","action":"echo","concurrency":0},
              {"id":"b","componentId":"echo","action":"echo","concurrency":4,"keepOrder":true}]}
            """;
        var problem = await Problems.AssertAsync(await Http.PutAsync($"/api/flows/{SdkFlows.NewId("bad")}/draft", Json(draft)), HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        StringAssert.Contains(errors.GetProperty("steps[0].concurrency")[0].GetString(), "from 1 to 256; it is 0");
        StringAssert.Contains(errors.GetProperty("steps[1].concurrency")[0].GetString(), "keepOrder means one message at a time");

        var echo = SampleDeployments.Echo();
        await Problems.AssertAsync(
            await Http.PostAsJsonAsync("/api/components/pool/revisions", echo with { Descriptor = echo.Descriptor with { MaxConcurrency = 0 } }),
            HttpStatusCode.BadRequest, "'descriptor.maxConcurrency' must be at least 1");
    }

    [TestMethod]
    public async Task MalformedJson_Is400_NamingThePosition()
    {
        await Problems.AssertAsync(await Http.PutAsync($"/api/flows/{SdkFlows.NewId("bad")}/draft", Json("{\"name\": \"x\",\n  \"steps\": [}")),
            HttpStatusCode.BadRequest, "line 2, byte 13");
        await Problems.AssertAsync(await Http.PutAsync("/api/flows/x/mode", Json("""{"mode":"Sideways"}""")), HttpStatusCode.NotFound);
        var flowId = await CreateStoppedFlowAsync();
        await Problems.AssertAsync(await Http.PutAsync($"/api/flows/{flowId}/mode", Json("""{"mode":"Sideways"}""")),
            HttpStatusCode.BadRequest, "line 1, byte");
        await Problems.AssertAsync(await Http.PostAsync($"/api/components/c/revisions", Json("[1,2")), HttpStatusCode.BadRequest, "Invalid JSON at");
    }

    [TestMethod]
    public async Task OversizedBody_Is413_WithAndWithoutADeclaredLength()
    {
        var big = "{\"pad\":\"" + new string('x', 70_000) + "\"}";
        await Problems.AssertAsync(await Http.PutAsync($"/api/flows/{SdkFlows.NewId("big")}/draft", Json(big)), HttpStatusCode.RequestEntityTooLarge, "65536 bytes");

        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/components/c/revisions") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await Problems.AssertAsync(await Http.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);
    }

    [TestMethod]
    public async Task UnknownFlow_Is404_OnEveryFlowRoute()
    {
        foreach (var (method, path) in new[]
                 {
                     ("GET", "/api/flows/nope"), ("GET", "/api/flows/nope/draft"), ("POST", "/api/flows/nope/publish"),
                     ("POST", "/api/flows/nope/start"), ("POST", "/api/flows/nope/stop"), ("POST", "/api/flows/nope/messages"),
                     ("GET", "/api/flows/nope/executions"), ("POST", "/api/flows/nope/webhook"), ("GET", "/api/flows/no%20such%2F/draft"),
                 })
        {
            await Problems.AssertAsync(await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("{}") }),
                HttpStatusCode.NotFound);
        }

        await Problems.AssertAsync(await Http.GetAsync("/api/no-such-route"), HttpStatusCode.NotFound);
    }

    [TestMethod]
    public async Task Message_ToAStoppedFlow_Is409_SayingHowToStartIt()
    {
        var flowId = await CreateStoppedFlowAsync();

        await Problems.AssertAsync(await Http.PostAsync($"/api/flows/{flowId}/messages", Json("{}")), HttpStatusCode.Conflict, "Start the flow first");
    }

    [TestMethod]
    public async Task Components_AreListed_WithTheirRevisions_AndABadDeploymentIs400()
    {
        var components = await Http.GetFromJsonAsync<JsonElement>("/api/components");
        Assert.IsTrue(components.EnumerateArray().Any(c => c.GetProperty("componentId").GetString() == "echo"));
        var page = await Http.GetFromJsonAsync<JsonElement>("/api/components/echo/revisions");
        Assert.AreEqual(1, page.GetProperty("revisions")[0].GetProperty("revision").GetInt32());
        Assert.AreEqual(1, page.GetProperty("total").GetInt32());

        var bad = new ComponentDeployment(new ComponentLaunch(null, null, [], new Dictionary<string, string>()), new ComponentDescriptor([], ["a"]));
        await Problems.AssertAsync(await Http.PostAsJsonAsync("/api/components/bad/revisions", bad), HttpStatusCode.BadRequest, "'launch' needs an 'image'");
    }

    [TestMethod]
    public async Task Message_WithWait_AnswersWithTheOutput_AndExecutionsListIt()
    {
        var flowId = await CreateStoppedFlowAsync();
        await Http.PutAsync($"/api/flows/{flowId}/mode", Json("""{"mode":"Realtime"}"""));
        await Http.PostAsync($"/api/flows/{flowId}/start", null);

        var response = await Http.PostAsync($"/api/flows/{flowId}/messages?wait=true&timeout=30", Json("""{"name":"ada"}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
        var reply = JsonDocument.Parse(text).RootElement;
        Assert.AreEqual("ADA", reply.GetProperty("body").GetProperty("name").GetString());

        var executionId = reply.GetProperty("executionId").GetString();
        var executions = await FlowActorsClientTests.PollAsync(
            () => Http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}/executions"), e => e.GetArrayLength() > 0);
        Assert.AreEqual(executionId, executions[0].GetProperty("executionId").GetString());
        Assert.AreEqual(2, executions[0].GetProperty("steps").GetArrayLength());
        await Http.PostAsync($"/api/flows/{flowId}/stop", null);
    }

    private static async Task<string> CreateStoppedFlowAsync()
    {
        var flowId = SdkFlows.NewId("http");
        (await Http.PutAsJsonAsync($"/api/flows/{flowId}/draft", SdkFlows.Shout())).EnsureSuccessStatusCode();
        (await Http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        return flowId;
    }

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
