using System.Net.Http.Json;
using System.Text.Json;
using FlowActors.Cli;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Client;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Cli;

/// <summary>
/// The <c>flowactors</c> tool as a script uses it, against the Silo process: README's tour folder applied twice (the
/// second time changes nothing), a message sent and its reply printed, the flow's events tailed, executions shown, the
/// flow stopped; bad files refused naming the file and the field; exit codes a script can tell apart.
/// </summary>
[TestClass]
public sealed class CliTests
{
    private static SiloProcess s_silo = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_silo = await SiloProcess.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_silo.DisposeAsync();

    [TestMethod]
    public async Task SampleFlows_ApplyTwice_SecondChangesNothing_ThenSendTailShowAndStop()
    {
        var folder = Repository.PathOf("samples", "flows");
        await using var first = (await CliProcess.RunAsync(s_silo, "apply", folder, "--output", "json")).AssertExit(ExitCodes.Ok);
        var applied = JsonDocument.Parse(first.Stdout).RootElement;
        Assert.AreEqual(6, applied.GetProperty("changed").GetInt32(), first.Stdout);
        var greeting = Item(applied, "flow", "greeting");
        CollectionAssert.AreEqual(new[] { "created", "published revision 1", "mode Realtime", "started" },
            greeting.GetProperty("changes").EnumerateArray().Select(c => c.GetString()).ToArray());
        Assert.AreEqual("Running", greeting.GetProperty("lifecycle").GetString());

        await using var second = (await CliProcess.RunAsync(s_silo, "apply", folder)).AssertExit(ExitCodes.Ok);
        StringAssert.Contains(second.Stderr, "0 changed, 6 unchanged.");
        StringAssert.Contains(second.Stdout, "flow greeting: unchanged (Running)");

        // tail follows before anything is sent; send prints the reply's body on stdout, the path on stderr.
        await using var tail = CliProcess.Start(s_silo, "tail", "greeting", "--count", "2", "-o", "json");
        await tail.Following.WaitAsync(TimeSpan.FromSeconds(60));
        await using var sent = (await CliProcess.RunAsync(s_silo, "send", "greeting", """{"name":"ada"}""")).AssertExit(ExitCodes.Ok);
        Assert.AreEqual("Hello, ADA!", JsonDocument.Parse(sent.Stdout).RootElement.GetProperty("greeting").GetString());
        StringAssert.Contains(sent.Stderr, "Output from step 'answer' (shout ");
        await using var noWait = (await CliProcess.RunAsync(s_silo, "send", "greeting", """{"name":"bo"}""", "--no-wait")).AssertExit(ExitCodes.Ok);
        var executionId = noWait.Stdout.Trim();

        await tail.WaitAsync(TimeSpan.FromSeconds(60));
        tail.AssertExit(ExitCodes.Ok);
        var events = tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        CollectionAssert.AreEqual(new[] { "Hello, ADA!", "Hello, BO!" }, events.Select(e => e.GetProperty("body").GetProperty("greeting").GetString()).ToArray());
        Assert.AreEqual(executionId, events[1].GetProperty("executionId").GetString());

        await using var shown = (await CliProcess.RunAsync(s_silo, "execution", "greeting", executionId)).AssertExit(ExitCodes.Ok);
        StringAssert.Contains(shown.Stdout, $"execution {executionId} of flow greeting: Succeeded");
        StringAssert.Contains(shown.Stdout, "\"greeting\": \"Hello, BO!\"");

        await using var stopped = (await CliProcess.RunAsync(s_silo, "stop", "greeting")).AssertExit(ExitCodes.Ok);
        StringAssert.Contains(stopped.Stdout, "flow greeting: Stopped");
        await using var flows = (await CliProcess.RunAsync(s_silo, "flows", "-o", "json")).AssertExit(ExitCodes.Ok);
        var listed = JsonDocument.Parse(flows.Stdout).RootElement.EnumerateArray().Single(f => f.GetProperty("flowId").GetString() == "greeting");
        Assert.AreEqual("Stopped", listed.GetProperty("lifecycle").GetString());

        // The files say "running": applying them again starts it again, and that is the one change.
        await using var third = (await CliProcess.RunAsync(s_silo, "apply", folder)).AssertExit(ExitCodes.Ok);
        StringAssert.Contains(third.Stdout, "flow greeting: started (Running)");
        StringAssert.Contains(third.Stderr, "1 changed, 5 unchanged.");
    }

    [TestMethod]
    public async Task BadFiles_AreRefused_NamingEachFileAndField_WithExit3_AndNothingIsApplied()
    {
        var folder = Directory.CreateTempSubdirectory("flowactors-bad-").FullName;
        File.WriteAllText(Path.Combine(folder, "flow.json"),
            """{"kind":"flow","id":"never-applied","name":"n","mode":"sideways","steps":[{"id":"a","componentId":"echo","action":"echo","configuraton":{}}]}""");
        File.WriteAllText(Path.Combine(folder, "component.json"), """{"kind":"component","id":"c","launch":{},"descriptor":{"actions":["a"]}}""");
        File.WriteAllText(Path.Combine(folder, "broken.json"), """{"kind":""");

        await using var cli = (await CliProcess.RunAsync(s_silo, "apply", folder)).AssertExit(ExitCodes.InvalidFiles);

        StringAssert.Contains(cli.Stderr, "flow.json: mode: is 'sideways'; expected \"ordinary\" or \"realtime\"");
        StringAssert.Contains(cli.Stderr, "flow.json: steps[0].configuraton: is not a field here");
        StringAssert.Contains(cli.Stderr, "component.json: launch: needs \"command\"");
        StringAssert.Contains(cli.Stderr, "broken.json: not valid JSON at line 1");
        await using var flows = (await CliProcess.RunAsync(s_silo, "flows", "-o", "json")).AssertExit(ExitCodes.Ok);
        Assert.IsFalse(flows.Stdout.Contains("never-applied", StringComparison.Ordinal), "nothing was applied");
    }

    [TestMethod]
    public async Task StepConcurrency_InFiles_IsApplied_ThenUnchanged_AndABadValueIsNamed()
    {
        var folder = Directory.CreateTempSubdirectory("flowactors-parallel-").FullName;
        File.WriteAllText(Path.Combine(folder, "component.json"),
            """{"kind":"component","id":"pool-echo","launch":{"command":"dotnet","arguments":["./FlowActors.SampleComponents.dll","echo"]},"descriptor":{"actions":["echo"],"maxConcurrency":4}}""");
        File.WriteAllText(Path.Combine(folder, "flow.json"),
            """{"kind":"flow","id":"parallel-file","name":"p","running":false,"steps":[{"id":"a","componentId":"pool-echo","action":"echo","concurrency":4},{"id":"b","componentId":"pool-echo","action":"echo","keepOrder":true}]}""");

        await using (var first = (await CliProcess.RunAsync(s_silo, "apply", folder)).AssertExit(ExitCodes.Ok))
        {
            StringAssert.Contains(first.Stderr, "2 changed, 0 unchanged.");
        }

        await using (var second = (await CliProcess.RunAsync(s_silo, "apply", folder)).AssertExit(ExitCodes.Ok))
        {
            StringAssert.Contains(second.Stderr, "0 changed, 2 unchanged.", "what the silo holds reads back as the files say");
        }

        File.WriteAllText(Path.Combine(folder, "flow.json"),
            """{"kind":"flow","id":"parallel-file","name":"p","steps":[{"id":"a","componentId":"pool-echo","action":"echo","concurrency":"many"}]}""");
        await using var bad = (await CliProcess.RunAsync(s_silo, "apply", folder)).AssertExit(ExitCodes.InvalidFiles);
        StringAssert.Contains(bad.Stderr, "flow.json: steps[0].concurrency: expected a whole number of at least 1");
    }

    [TestMethod]
    public async Task AFileTheSiloRefuses_IsExit3_NamingTheFileAndTheField()
    {
        var folder = Directory.CreateTempSubdirectory("flowactors-refused-").FullName;
        File.WriteAllText(Path.Combine(folder, "flow.json"),
            """{"kind":"flow","id":"refused","name":"n","steps":[{"id":"a","componentId":"not-deployed","action":"x"}]}""");

        await using var cli = (await CliProcess.RunAsync(s_silo, "apply", folder, "-o", "json")).AssertExit(ExitCodes.InvalidFiles);

        var error = JsonDocument.Parse(cli.Stderr).RootElement;
        Assert.AreEqual(ExitCodes.InvalidFiles, error.GetProperty("exitCode").GetInt32());
        var detail = error.GetProperty("details").EnumerateArray().Single().GetString()!;
        StringAssert.Contains(detail, "flow.json: steps[0].componentId: Step 'a' refers to component 'not-deployed'");
    }

    [TestMethod]
    public async Task DeadLetters_AreListedCountedAndDiscarded_AndAMissingOneIsExit4()
    {
        var http = s_silo.Http;
        (await http.PostAsJsonAsync("/api/components/faulty/revisions", SampleDeployments.Faulty())).EnsureSuccessStatusCode();
        var flowId = SdkFlows.NewId("cli-dl");
        (await http.PutAsJsonAsync($"/api/flows/{flowId}/draft", FlowDefinition.Chain("fails", new StepDefinition("check", "faulty", "maybeFail")))).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/messages", new StringContent("""{"fail":"error"}""", System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var page = await FlowActorsClientTests.PollAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}/dead-letters"), p => p.GetProperty("total").GetInt32() == 1);
        var id = page.GetProperty("items")[0].GetProperty("id").GetString()!;

        await using var listed = (await CliProcess.RunAsync(s_silo, "dead-letters", flowId)).AssertExit(ExitCodes.Ok);
        StringAssert.Contains(listed.Stdout, id);
        StringAssert.Contains(listed.Stdout, "failed on purpose (fail: error)");
        await using var counters = (await CliProcess.RunAsync(s_silo, "counters", flowId, "-o", "json")).AssertExit(ExitCodes.Ok);
        Assert.AreEqual(1, JsonDocument.Parse(counters.Stdout).RootElement.GetProperty("deadLettered").GetInt64(), counters.Stdout);
        await using var discarded = (await CliProcess.RunAsync(s_silo, "discard", flowId, id)).AssertExit(ExitCodes.Ok);
        await using var gone = (await CliProcess.RunAsync(s_silo, "replay", flowId, id)).AssertExit(ExitCodes.NotFound);
        StringAssert.Contains(gone.Stderr, $"has no dead letter '{id}'");
        await http.PostAsync($"/api/flows/{flowId}/stop", null);
    }

    [TestMethod]
    public async Task ExitCodes_TellUsageNotFoundAndUnreachableApart()
    {
        await using var usage = (await CliProcess.RunAsync(s_silo, "send", "f", "not json")).AssertExit(ExitCodes.Usage);
        StringAssert.Contains(usage.Stderr, "The message is not JSON");
        await using var typo = (await CliProcess.RunAsync(s_silo, "flows", "--limt", "3")).AssertExit(ExitCodes.Usage);
        StringAssert.Contains(typo.Stderr, "Unknown option --limt");
        await using var missing = (await CliProcess.RunAsync(s_silo, "send", "no-such-flow", "{}")).AssertExit(ExitCodes.NotFound);
        StringAssert.Contains(missing.Stderr, "There is no flow 'no-such-flow'");
        await using var unreachable = (await CliProcess.RunAsync(s_silo, "flows", "--url", "http://127.0.0.1:1")).AssertExit(ExitCodes.Unreachable);
        StringAssert.Contains(unreachable.Stderr, "Cannot reach the silo at http://127.0.0.1:1/");
        await using var refused = (await CliProcess.RunAsync(s_silo, "flows", "--api-key", "not-the-key-0123456789")).AssertExit(ExitCodes.Unreachable);
        StringAssert.Contains(refused.Stderr, "refused the API key (401)");
    }

    private static JsonElement Item(JsonElement applied, string kind, string id) =>
        applied.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("kind").GetString() == kind && i.GetProperty("id").GetString() == id);
}
