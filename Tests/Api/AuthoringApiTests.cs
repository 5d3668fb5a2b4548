using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;

namespace FlowActors.Tests.Api;

/// <summary>
/// What writing flows by hand over HTTP needs, against the Silo process: configuration as a JSON object, errors that
/// name the field and the fix, 404s alike for every unknown thing, outputs readable after the fact, events as a stream.
/// </summary>
[TestClass]
public sealed class AuthoringApiTests
{
    private const int MaxOutputBytes = 64;
    private static SiloProcess s_silo = null!;
    private static HttpClient Http => s_silo.Http;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_silo = await SiloProcess.StartAsync($"--FlowActors:Executions:MaxOutputBytes={MaxOutputBytes}");
        foreach (var (id, deployment) in new[] { ("transform", SampleDeployments.Transform()), ("echo", SampleDeployments.Echo()) })
        {
            (await Http.PostAsJsonAsync($"/api/components/{id}/revisions", deployment)).EnsureSuccessStatusCode();
        }
    }

    [ClassCleanup]
    public static async Task StopAsync() => await s_silo.DisposeAsync();

    [TestMethod]
    public async Task Draft_ConfigurationIsAJsonObject_AndAJsonEncodedStringIsStillAccepted()
    {
        var flowId = SdkFlows.NewId("cfg");
        await PutDraftAsync(flowId, """{"name":"n","steps":[{"id":"a","componentId":"transform","action":"uppercase","configuration":{ "field" : "name" }}],"edges":[]}""");
        var asObject = await Http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}/draft");
        Assert.AreEqual("""{"field":"name"}""", asObject.GetProperty("steps")[0].GetProperty("configuration").GetRawText());

        await PutDraftAsync(flowId, """{"name":"n","steps":[{"id":"a","componentId":"transform","action":"uppercase","configuration":"{\"field\":\"city\"}"}],"edges":[]}""");
        var fromString = await Http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}/draft");
        Assert.AreEqual(JsonValueKind.Object, fromString.GetProperty("steps")[0].GetProperty("configuration").ValueKind, "answers always carry the object");
    }

    [TestMethod]
    public async Task Draft_AConfigurationThatIsNoObject_Is400_NamingTheFieldAndWhatToWrite()
    {
        var response = await Http.PutAsync($"/api/flows/{SdkFlows.NewId("cfg")}/draft",
            Json("""{"name":"n","steps":[{"id":"a","componentId":"transform","action":"uppercase","configuration":[1]}],"edges":[]}"""));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "$.steps[0].configuration");
        StringAssert.Contains(problem.GetProperty("detail").GetString(), "is a JSON object such as {\"field\":\"name\"}");
    }

    [TestMethod]
    public async Task Draft_AnUnknownField_Is400_NamingIt()
    {
        var response = await Http.PutAsync($"/api/flows/{SdkFlows.NewId("typo")}/draft",
            Json("""{"name":"n","steps":[{"id":"a","componentId":"transform","action":"uppercase","configuraton":{}}]}"""));

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "Unknown field 'configuraton'");
    }

    [TestMethod]
    public async Task Draft_WithoutEdges_IsAChainInStepOrder_AndUnpublishedChangesSaysWhetherToPublish()
    {
        var flowId = SdkFlows.NewId("chain");
        var draft = """{"name":"n","steps":[{"id":"a","componentId":"transform","action":"uppercase"},{"id":"b","componentId":"echo","action":"echo"},{"id":"c","componentId":"echo","action":"echo"}]}""";
        var saved = await PutDraftAsync(flowId, draft);
        Assert.IsTrue(saved.GetProperty("unpublishedChanges").GetBoolean());
        var edges = (await Http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}/draft")).GetProperty("edges");
        Assert.AreEqual("""[{"from":"a","to":"b"},{"from":"b","to":"c"}]""", edges.GetRawText());

        (await Http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        Assert.IsFalse((await StatusAsync(flowId)).GetProperty("unpublishedChanges").GetBoolean(), "published: nothing left to publish");
        Assert.IsFalse((await PutDraftAsync(flowId, draft)).GetProperty("unpublishedChanges").GetBoolean(), "the same draft again changes nothing");
        Assert.IsTrue((await PutDraftAsync(flowId, draft.Replace("\"name\":\"n\"", "\"name\":\"m\""))).GetProperty("unpublishedChanges").GetBoolean());
    }

    [TestMethod]
    public async Task Deployment_ThatLeavesOutListsAndMaps_HasThemEmpty_AndItsComponentRuns()
    {
        var componentId = SdkFlows.NewId("bare");
        var deployed = await Http.PostAsync($"/api/components/{componentId}/revisions",
            Json("""{"launch":{"command":"dotnet","arguments":["./FlowActors.SampleComponents.dll","echo"]},"descriptor":{"actions":["echo"]}}"""));
        Assert.AreEqual(HttpStatusCode.Created, deployed.StatusCode, await deployed.Content.ReadAsStringAsync());
        var revision = await deployed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.AreEqual("[]", revision.GetProperty("descriptor").GetProperty("triggers").GetRawText());
        Assert.AreEqual("{}", revision.GetProperty("launch").GetProperty("environment").GetRawText());

        var flowId = SdkFlows.NewId("bare");
        await PutDraftAsync(flowId, $$"""{"name":"n","steps":[{"id":"only","componentId":"{{componentId}}","action":"echo"}]}""");
        (await Http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await Http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        var reply = await Http.PostAsync($"/api/flows/{flowId}/messages?wait=true", Json("""{"n":1}"""));
        Assert.AreEqual(HttpStatusCode.OK, reply.StatusCode, await reply.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task UnknownComponentAndExecution_Are404_LikeAnUnknownFlow()
    {
        await Problems.AssertAsync(await Http.GetAsync("/api/components/no-such-component/revisions"), HttpStatusCode.NotFound, "There is no component 'no-such-component'");
        await Problems.AssertAsync(await Http.GetAsync("/api/components/not%20an%20id/revisions"), HttpStatusCode.NotFound);
        await Problems.AssertAsync(await Http.GetAsync("/api/flows/no-such-flow/executions/x"), HttpStatusCode.NotFound, "There is no flow 'no-such-flow'");
        await Problems.AssertAsync(await Http.GetAsync("/api/flows/no-such-flow/events"), HttpStatusCode.NotFound, "There is no flow");
        var flowId = await StartAsync("Ordinary");
        await Problems.AssertAsync(await Http.GetAsync($"/api/flows/{flowId}/executions/nope"), HttpStatusCode.NotFound, "has no record of execution 'nope'");
    }

    [TestMethod]
    public async Task Execution_OfAMessageSentWithoutWaiting_ShowsItsOutput_AndMarksWhatIsCut()
    {
        var flowId = await StartAsync("Ordinary");
        var small = await SendAsync(flowId, """{"name":"ada"}""");
        var largeBody = $$"""{"name":"bob","pad":"{{new string('x', 100)}}"}""";
        var large = await SendAsync(flowId, largeBody);

        var whole = (await ExecutionWithOutputAsync(flowId, small)).GetProperty("outputs")[0];
        Assert.AreEqual("answer", whole.GetProperty("stepId").GetString());
        Assert.AreEqual("Output", whole.GetProperty("kind").GetString());
        Assert.AreEqual("ADA", whole.GetProperty("body").GetProperty("name").GetString(), "the body is JSON, not a string");
        Assert.IsFalse(whole.GetProperty("truncated").GetBoolean());

        var cut = (await ExecutionWithOutputAsync(flowId, large)).GetProperty("outputs")[0];
        Assert.IsTrue(cut.GetProperty("truncated").GetBoolean());
        Assert.AreEqual(Encoding.UTF8.GetByteCount(largeBody), cut.GetProperty("bytes").GetInt32(), "the whole output's size");
        Assert.AreEqual(MaxOutputBytes, Encoding.UTF8.GetByteCount(cut.GetProperty("body").GetString()!), "the first bytes, as a string");
    }

    [TestMethod]
    public async Task Events_AreAServerSentEventStream_ThatHasEveryOutputOfWhatIsSentAfterItStarted()
    {
        var flowId = await StartAsync("Realtime");
        using var events = s_silo.NewHttpClient(withKey: true);
        using var response = await events.GetAsync($"/api/flows/{flowId}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.AreEqual("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.AreEqual($": following {flowId}", await reader.ReadLineAsync());

        var sent = new[] { await SendAsync(flowId, """{"name":"x1"}"""), await SendAsync(flowId, """{"name":"x2"}""") };
        var seen = new List<JsonElement>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (seen.Count < 2 && await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                seen.Add(JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone());
            }
        }

        CollectionAssert.AreEqual(sent, seen.Select(e => e.GetProperty("executionId").GetString()).ToArray());
        Assert.AreEqual("X1", seen[0].GetProperty("body").GetProperty("name").GetString());
        Assert.AreEqual("answer", seen[0].GetProperty("step").GetString());
        Assert.AreEqual("Output", seen[0].GetProperty("kind").GetString());
    }

    private static async Task<string> StartAsync(string mode)
    {
        var flowId = SdkFlows.NewId(mode.ToLowerInvariant());
        await PutDraftAsync(flowId, """{"name":"shout","steps":[{"id":"shout","componentId":"transform","action":"uppercase","configuration":{"field":"name"}},{"id":"answer","componentId":"echo","action":"echo"}]}""");
        (await Http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await Http.PutAsync($"/api/flows/{flowId}/mode", Json($$"""{"mode":"{{mode}}"}"""))).EnsureSuccessStatusCode();
        (await Http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        await FlowActorsClientTests.PollAsync(StatusOf, s => s == "Running");
        return flowId;

        async Task<string?> StatusOf() => (await StatusAsync(flowId)).GetProperty("lifecycle").GetString();
    }

    private static async Task<string> SendAsync(string flowId, string body)
    {
        var response = await Http.PostAsync($"/api/flows/{flowId}/messages", Json(body));
        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executionId").GetString()!;
    }

    private static async Task<JsonElement> ExecutionWithOutputAsync(string flowId, string executionId)
    {
        var execution = await FlowActorsClientTests.PollAsync(
            async () => await Http.GetAsync($"/api/flows/{flowId}/executions/{executionId}") is { IsSuccessStatusCode: true } r
                ? await r.Content.ReadFromJsonAsync<JsonElement>()
                : default,
            e => e.ValueKind == JsonValueKind.Object && e.GetProperty("outputs").GetArrayLength() > 0);
        Assert.AreEqual(JsonValueKind.Object, execution.ValueKind, $"execution {executionId} was never recorded with an output");
        return execution;
    }

    private static async Task<JsonElement> PutDraftAsync(string flowId, string draft)
    {
        var response = await Http.PutAsync($"/api/flows/{flowId}/draft", Json(draft));
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Task<JsonElement> StatusAsync(string flowId) => Http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}");

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
