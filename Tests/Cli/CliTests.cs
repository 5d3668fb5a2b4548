using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using FlowActors.Cli;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Cli;

/// <summary>
/// The <c>flowactors</c> tool as a script uses it, against the Silo process with its shipped settings (sample flows
/// seeded, a generated API key the tool finds itself): README's tour folder applied with the outcome docs/cli.md shows,
/// applied again changing nothing, a message sent and its reply printed, the flow's events tailed, executions shown, the
/// flow stopped; bad files refused naming the file and the field; exit codes a script can tell apart.
/// </summary>
[TestClass]
public sealed partial class CliTests
{
    private static SiloProcess s_silo = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_silo = await SiloProcess.StartWithDefaultsAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_silo.DisposeAsync();

    [TestMethod]
    public async Task ReadmeTour_SampleFlows_ApplyAsDocumented_SecondChangesNothing_ThenSendTailShowAndStop()
    {
        // The seeded samples first: what the banner points to and what the lists show.
        var banner = await s_silo.WaitForLineAsync("Webhooks are served on their own listener", TimeSpan.FromSeconds(60));
        StringAssert.Contains(banner, $"(README, tour step {ReadmeStep("Give a flow a webhook")}).");
        var names = await Task.WhenAll(new[] { SampleFlowSeeder.OrdinaryFlow, SampleFlowSeeder.RealtimeFlow }
            .Select(async id => (await s_silo.Http.GetFromJsonAsync<JsonElement>($"/api/flows/{id}/draft")).GetProperty("name").GetString()));
        Assert.AreNotEqual(names[0], names[1], "the two sample flows are told apart by name");

        // docs/cli.md's session, line for line: the .NET samples the silo seeded are unchanged, so no running flow turns stale.
        var folder = Repository.PathOf("samples", "flows");
        await using var first = (await CliProcess.RunAsync(s_silo, "apply", folder)).AssertExit(ExitCodes.Ok);
        CollectionAssert.AreEqual(DocumentedSession("flowactors apply samples/flows"), Lines(first.Stdout + first.Stderr),
            $"docs/cli.md shows another outcome:\n{first.Stdout}{first.Stderr}");

        await using var second = (await CliProcess.RunAsync(s_silo, "apply", folder)).AssertExit(ExitCodes.Ok);
        StringAssert.Contains(second.Stderr, ReadmeApplyAgain().Match(File.ReadAllText(Repository.PathOf("README.md"))).Groups[1].Value);
        StringAssert.Contains(second.Stdout, "flow greeting: unchanged (Running)");
        await using var components = (await CliProcess.RunAsync(s_silo, "components", "-o", "json")).AssertExit(ExitCodes.Ok);
        Assert.AreEqual(1, JsonDocument.Parse(components.Stdout).RootElement.EnumerateArray()
            .Single(c => c.GetProperty("componentId").GetString() == "echo").GetProperty("revision").GetInt32(), "echo.json is the seeded echo");

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
    public async Task ScriptsFlowactors_RunsTheBuiltTool_WithNothingButTheToolsOutputOnStdout()
    {
        await using var flows = (await CliProcess.RunScriptAsync(s_silo, "flows", "-o", "json")).AssertExit(ExitCodes.Ok);
        var listed = JsonDocument.Parse(flows.Stdout).RootElement.EnumerateArray().Select(f => f.GetProperty("flowId").GetString()).ToArray();
        CollectionAssert.Contains(listed, SampleFlowSeeder.RealtimeFlow, flows.Stdout);
        await using var usage = (await CliProcess.RunScriptAsync(s_silo, "send", "f", "not json")).AssertExit(ExitCodes.Usage);
        StringAssert.Contains(usage.Stderr, "The message is not JSON");
    }

    [TestMethod]
    public async Task BadFiles_AreRefused_InOnePass_NamingEachFileAndField_WithExit3_AndNothingIsApplied()
    {
        var folder = Directory.CreateTempSubdirectory("flowactors-bad-").FullName;
        File.WriteAllText(Path.Combine(folder, "flow.json"),
            """{"kind":"flow","id":"never-applied","name":"n","mode":"sideways","steps":[{"id":"a","componentId":"echo","action":"echo","configuraton":{}}]}""");
        File.WriteAllText(Path.Combine(folder, "component.json"), """{"kind":"component","id":"c","launch":{},"descriptor":{"actions":["a"]}}""");
        File.WriteAllText(Path.Combine(folder, "broken.json"), """{"kind":""");
        File.WriteAllText(Path.Combine(folder, "commas.json"), "{\"kind\": \"component\", \"id\": \"commas\",\n \"launch\": {\"command\": \"node\"}, \"descriptor\": {\"actions\": [\"a\",]}}");
        File.WriteAllText(Path.Combine(folder, "comments.json"), "// a comment\n{\"kind\": \"component\"}");

        // Files the tool reads well but the silo would refuse: a new component it will deploy (and a flow using the
        // component as this folder deploys it) pass, an unknown component, a missing action and a bad deployment do not.
        File.WriteAllText(Path.Combine(folder, "fresh.json"), """{"kind":"component","id":"fresh-c","launch":{"command":"node"},"descriptor":{"actions":["new"]}}""");
        File.WriteAllText(Path.Combine(folder, "uses-fresh.json"),
            """{"kind":"flow","id":"uses-fresh","name":"n","steps":[{"id":"a","componentId":"fresh-c","action":"new"},{"id":"b","componentId":"echo","action":"nope"}]}""");
        File.WriteAllText(Path.Combine(folder, "unknown.json"),
            """{"kind":"flow","id":"unknown-c","name":"n","steps":[{"id":"a","componentId":"not-deployed","action":"x"}]}""");
        File.WriteAllText(Path.Combine(folder, "cred.json"), """{"kind":"credential","id":"folder-cred","fields":{"token":{"file":"token.txt"}}}""");
        File.WriteAllText(Path.Combine(folder, "token.txt"), "not a real token");
        File.WriteAllText(Path.Combine(folder, "uses-cred.json"), """
            {"kind":"flow","id":"uses-cred","name":"n","steps":[{"id":"a","componentId":"echo","action":"echo","credential":"folder-cred"},
             {"id":"b","componentId":"echo","action":"echo","credential":"nowhere-cred"}]}
            """);
        File.WriteAllText(Path.Combine(folder, "nul.json"), """{"kind":"component","id":"nul-c","launch":{"command":"no\u0000de"},"descriptor":{"actions":["a"]}}""");

        await using var cli = (await CliProcess.RunAsync(s_silo, "apply", folder)).AssertExit(ExitCodes.InvalidFiles);

        StringAssert.Contains(cli.Stderr, "flow.json: mode: is 'sideways'; expected \"ordinary\" or \"realtime\"");
        StringAssert.Contains(cli.Stderr, "flow.json: steps[0].configuraton: is not a field here");
        StringAssert.Contains(cli.Stderr, "component.json: launch: needs \"command\"");
        StringAssert.Contains(cli.Stderr, "broken.json: not valid JSON at line 1");
        StringAssert.Contains(cli.Stderr, "commas.json: not valid JSON at line 2");
        StringAssert.Contains(cli.Stderr, "no comments, no trailing commas");
        StringAssert.Contains(cli.Stderr, "comments.json: not valid JSON at line 1");
        StringAssert.Contains(cli.Stderr, "uses-fresh.json: steps[1].action: ");
        StringAssert.Contains(cli.Stderr, "unknown.json: steps[0].componentId: Step 'a' refers to component 'not-deployed'");
        StringAssert.Contains(cli.Stderr, "nul.json: 'launch.command'");
        StringAssert.Contains(cli.Stderr, "uses-cred.json: steps[1].credential: Step 'b' names credential 'nowhere-cred', which does not exist.");
        Assert.IsFalse(cli.Stderr.Contains("uses-fresh.json: steps[0]", StringComparison.Ordinal), cli.Stderr);
        Assert.IsFalse(cli.Stderr.Contains("uses-cred.json: steps[0]", StringComparison.Ordinal), cli.Stderr);
        StringAssert.Contains(cli.Stderr, "10 problems in the files; nothing was applied.");
        await using var flows = (await CliProcess.RunAsync(s_silo, "flows", "-o", "json")).AssertExit(ExitCodes.Ok);
        Assert.IsFalse(flows.Stdout.Contains("never-applied", StringComparison.Ordinal), "nothing was applied");
        await using var components = (await CliProcess.RunAsync(s_silo, "components", "-o", "json")).AssertExit(ExitCodes.Ok);
        Assert.IsFalse(components.Stdout.Contains("fresh-c", StringComparison.Ordinal), "nothing was applied");
    }

    [TestMethod]
    public async Task StepConcurrencyAndActionDetails_InFiles_AreApplied_ThenUnchanged_AndABadValueIsNamed()
    {
        var folder = Directory.CreateTempSubdirectory("flowactors-parallel-").FullName;
        File.WriteAllText(Path.Combine(folder, "component.json"),
            """{"kind":"component","id":"pool-echo","launch":{"command":"dotnet","arguments":["./FlowActors.SampleComponents.dll","echo"]},"descriptor":{"actions":["echo"],"maxConcurrency":4,"details":{"echo":{"title":"Echo","configurationSchema":{"type":"object"},"sampleInput":"{\"n\":1}"}}}}""");
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

        // replay prints the bare execution id, as docs/cli.md says, for ID=$(flowactors replay ...).
        await using var replayed = (await CliProcess.RunAsync(s_silo, "replay", flowId, id)).AssertExit(ExitCodes.Ok);
        var replayedExecution = replayed.Stdout.Trim();
        Assert.AreEqual(page.GetProperty("items")[0].GetProperty("message").GetProperty("executionId").GetString(), replayedExecution, replayed.Stdout);
        await using var shown = (await CliProcess.RunAsync(s_silo, "execution", flowId, replayedExecution)).AssertExit(ExitCodes.Ok);
        StringAssert.Contains(shown.Stdout, $"execution {replayedExecution} of flow {flowId}");

        // It fails again (the body says so) and is dead-lettered again, under a new id.
        page = await FlowActorsClientTests.PollAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}/dead-letters"), p => p.GetProperty("total").GetInt32() == 1);
        var again = page.GetProperty("items")[0].GetProperty("id").GetString()!;
        await using var discarded = (await CliProcess.RunAsync(s_silo, "discard", flowId, again)).AssertExit(ExitCodes.Ok);
        await using var gone = (await CliProcess.RunAsync(s_silo, "replay", flowId, again)).AssertExit(ExitCodes.NotFound);
        StringAssert.Contains(gone.Stderr, $"has no dead letter '{again}'");
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

    /// <summary>The number of README's tour step that starts with <paramref name="title"/>.</summary>
    private static int ReadmeStep(string title)
    {
        var step = File.ReadAllLines(Repository.PathOf("README.md")).Select(l => TourStep().Match(l))
            .SingleOrDefault(m => m.Success && m.Groups[2].Value.StartsWith(title, StringComparison.Ordinal));
        Assert.IsNotNull(step, $"README's tour has no step '{title}'");
        return int.Parse(step.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>What docs/cli.md's session shows after <c>$ <paramref name="command"/></c>, up to the next command.</summary>
    private static string[] DocumentedSession(string command) =>
        File.ReadAllLines(Repository.PathOf("docs", "cli.md")).SkipWhile(l => l != $"$ {command}").Skip(1).TakeWhile(l => !l.StartsWith('$')).ToArray() is { Length: > 0 } lines
            ? lines
            : throw new AssertFailedException($"docs/cli.md's session no longer shows '$ {command}'");

    /// <summary>The tool's output lines in the session's order: the items by kind and id, the count last.</summary>
    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Where(l => !l.EndsWith("starting...", StringComparison.Ordinal))
        .OrderBy(l => l.Contains(" changed, ", StringComparison.Ordinal)).ThenBy(l => l, StringComparer.Ordinal).ToArray();

    [GeneratedRegex(@"^(\d+)\. (.*)$")]
    private static partial Regex TourStep();

    [GeneratedRegex(@"apply samples/flows +# again: ""([^""]+)""")]
    private static partial Regex ReadmeApplyAgain();
}
