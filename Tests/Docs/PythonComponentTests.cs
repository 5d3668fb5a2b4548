using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Tests.Client;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Docs;

/// <summary>
/// samples/python/tally.py, a component written from docs/components.md's protocol section alone (Python's standard
/// library, no SDK), deployed as the page shows and run by the Silo process as local processes in both modes: data,
/// snapshots carried through batches, error and poison, an HTTP reply. The page's protocol and the platform cannot drift
/// apart without this failing. (Part of <see cref="DocumentedExamplesTests"/>: its silo.)
/// </summary>
public sealed partial class DocumentedExamplesTests
{
    private const string Python = "/usr/bin/python3";

    [TestMethod]
    public async Task PythonComponent_WrittenFromTheProtocolPage_RunsInAnOrdinaryAndARealtimeFlow()
    {
        Assert.IsTrue(File.Exists(Python), $"{Python} is what docs/components.md deploys the sample with; install Debian's python3.");
        var deploy = DocExample.Read(Repository.PathOf("docs", "components.md"), "docs/components.md").Single(e => e.Kind == "deploy" && e.Name == "tally");
        var silo = await SharedSilo.Value;
        var http = silo.Http;
        var deployed = await http.PostAsync("/api/components/tally/revisions", new StringContent(deploy.Text, Encoding.UTF8, "application/json"));
        Assert.AreEqual(HttpStatusCode.Created, deployed.StatusCode, $"{deploy.Source}: {await deployed.Content.ReadAsStringAsync()}");

        // Ordinary: one message at a time on /invoke; the snapshot goes from call to call.
        await StartAsync(http, "py-ordinary", FlowMode.Ordinary,
            new StepDefinition("check", "tally", "check"),
            new StepDefinition("greet", "tally", "greet", """{"greeting":"Hi"}"""),
            new StepDefinition("total", "tally", "tally"));
        for (var i = 1; i <= 3; i++)
        {
            var output = await SendAsync(http, "py-ordinary", """{"name":"ada","amount":2}""");
            Assert.AreEqual("Hi, ada!", output.GetProperty("body").GetProperty("greeting").GetString(), output.ToString());
            Assert.AreEqual(2 * i, output.GetProperty("body").GetProperty("total").GetInt32(), output.ToString());
        }

        await AssertFailsAsync(http, "py-ordinary", """{"amount":1}""", "reported an error: the body has no 'name'");
        await AssertFailsAsync(http, "py-ordinary", "[1,2]", "refused the message as poison: expected a JSON object, got list");
        var deadLetters = await http.GetFromJsonAsync<JsonElement>("/api/flows/py-ordinary/dead-letters");
        Assert.AreEqual(2, deadLetters.GetProperty("total").GetInt32(), "error and poison are dead-lettered at once");

        // Real-time: messages that queue up while a call is in flight go as one batch; every total is counted once.
        await StartAsync(http, "py-realtime", FlowMode.Realtime,
            new StepDefinition("greet", "tally", "greet"),
            new StepDefinition("total", "tally", "tally"),
            new StepDefinition("answer", "tally", "reply", """{"status":201}"""));
        var totals = new List<int>();
        for (var burst = 0; burst < 10 && (burst == 0 || silo.CountLines("served a batch of") == 0); burst++)
        {
            var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => SendAsync(http, "py-realtime", """{"name":"lin"}""")));
            foreach (var reply in replies)
            {
                Assert.AreEqual("HttpReply", reply.GetProperty("kind").GetString(), reply.ToString());
                Assert.AreEqual("201", reply.GetProperty("headers").GetProperty(":status").GetString(), reply.ToString());
                Assert.AreEqual("Hello, lin!", reply.GetProperty("body").GetProperty("greeting").GetString(), reply.ToString());
                totals.Add(reply.GetProperty("body").GetProperty("total").GetInt32());
            }
        }

        Assert.IsGreaterThan(0, silo.CountLines("served a batch of"), $"no batch in {totals.Count} messages sent 40 at a time:\n{silo.RecentOutput}");
        CollectionAssert.AreEquivalent(Enumerable.Range(1, totals.Count).ToArray(), totals.ToArray(), "each message counted once, batches included");
    }

    private static async Task StartAsync(HttpClient http, string flowId, FlowMode mode, params StepDefinition[] steps)
    {
        (await http.PutAsJsonAsync($"/api/flows/{flowId}/draft", FlowDefinition.Chain(flowId, steps))).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"/api/flows/{flowId}/mode", new { mode = mode.ToString() })).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        var lifecycle = await FlowActorsClientTests.PollAsync(
            async () => (await http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}")).GetProperty("lifecycle").GetString(), l => l is "Running" or "Failed");
        Assert.AreEqual("Running", lifecycle, await http.GetStringAsync($"/api/flows/{flowId}"));
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, string flowId, string body)
    {
        using var reply = await http.PostAsync($"/api/flows/{flowId}/messages?wait=true", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await reply.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, reply.StatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task AssertFailsAsync(HttpClient http, string flowId, string body, string error)
    {
        using var reply = await http.PostAsync($"/api/flows/{flowId}/messages?wait=true", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await reply.Content.ReadAsStringAsync();
        Assert.AreEqual((HttpStatusCode)422, reply.StatusCode, text);
        StringAssert.Contains(text, error);
    }
}
