using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowActors.Cli;
using FlowActors.Client;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.AdminConsole;
using FlowActors.Tests.Client;
using FlowActors.Tests.Infrastructure;
using static FlowActors.Tests.Api.HttpApiTests;
using static Microsoft.Playwright.Assertions;

namespace FlowActors.Tests.Components;

/// <summary>
/// A component that dies at start, as <c>node indx.js</c> does ("Cannot find module"): a real Silo with its shipped
/// retry policy (5 tries, about 16 s) fails the message at once, and says why wherever an operator looks: the step's
/// status, the execution's error, the dead letter (one attempt), the CLI and the console, each with the exit code and
/// the last lines the component wrote to stderr. A real-time flow through it fails to start, saying the same.
/// </summary>
[TestClass]
public sealed class StartFailureTests
{
    private const string Missing = "Error: Cannot find module '/srv/greet/indx.js'";

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static SiloProcess s_silo = null!;
    private static string s_flowId = null!;
    private static string s_executionId = null!;
    private static TimeSpan s_failedAfter;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_silo = await SiloProcess.StartAsync();
        var http = s_silo.Http;
        var broken = new ComponentDeployment(
            new ComponentLaunch(null, "sh", ["-c", $"echo 'node:internal/modules/cjs/loader:1228' >&2; echo \"{Missing}\" >&2; exit 3"], new Dictionary<string, string>()),
            new ComponentDescriptor([], ["greet"]));
        (await http.PostAsJsonAsync("/api/components/broken/revisions", broken)).EnsureSuccessStatusCode();
        s_flowId = SdkFlows.NewId("broken");
        (await http.PutAsJsonAsync($"/api/flows/{s_flowId}/draft", FlowDefinition.Chain("broken", new StepDefinition("greet", "broken", "greet")))).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{s_flowId}/publish", null)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{s_flowId}/start", null)).EnsureSuccessStatusCode();

        var clock = Stopwatch.StartNew();
        var sent = await http.PostAsync($"/api/flows/{s_flowId}/messages", Json("""{"name":"ada"}"""));
        Assert.AreEqual(HttpStatusCode.Accepted, sent.StatusCode, await sent.Content.ReadAsStringAsync());
        s_executionId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executionId").GetString()!;
        await FlowActorsClientTests.PollAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/flows/{s_flowId}/dead-letters"), page => page.GetProperty("total").GetInt32() == 1);
        s_failedAfter = clock.Elapsed;
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_silo is not null)
        {
            await s_silo.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task ComponentDyingAtStart_FailsTheMessageAtOnce_WithItsExitCodeAndStderr_InStatusExecutionAndDeadLetter()
    {
        var http = s_silo.Http;

        var page = await http.GetFromJsonAsync<JsonElement>($"/api/flows/{s_flowId}/dead-letters");
        var letter = page.GetProperty("items")[0];
        Assert.AreEqual(1, letter.GetProperty("attempts").GetArrayLength(), "A certain failure is not retried.");
        AssertDescribes(letter.GetProperty("error").GetString());
        StringAssert.Contains(letter.GetProperty("error").GetString(), "not retried");
        Assert.IsLessThan(TimeSpan.FromSeconds(10), s_failedAfter, "The shipped policy's five tries take about 16 s; a certain failure must not wait for them.");

        // The dead letter is stored before the execution log folds the error event it also raises: read until it has.
        var execution = await FailedExecutionAsync(http);
        Assert.AreEqual("Failed", execution.GetProperty("status").GetString(), execution.ToString());
        AssertDescribes(execution.GetProperty("error").GetString());

        var flow = await http.GetFromJsonAsync<JsonElement>($"/api/flows/{s_flowId}");
        var step = flow.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("stepId").GetString() == "greet");
        Assert.AreEqual("Failed", step.GetProperty("phase").GetString(), step.ToString());
        AssertDescribes(step.GetProperty("error").GetString());
    }

    private static async Task<JsonElement> FailedExecutionAsync(HttpClient http)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await http.GetAsync($"/api/flows/{s_flowId}/executions/{s_executionId}");
            if (response.IsSuccessStatusCode)
            {
                var execution = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (execution.GetProperty("status").GetString() != "Running" || DateTimeOffset.UtcNow > deadline)
                {
                    return execution;
                }
            }
            else
            {
                Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
                Assert.IsLessThan(deadline, DateTimeOffset.UtcNow, $"execution {s_executionId} never reached the log");
            }

            await Task.Delay(100); // the log has no change notification over HTTP to wait on
        }
    }

    [TestMethod]
    public async Task RealtimeFlowThroughAComponentDyingAtStart_FailsToStart_SayingWhy()
    {
        var http = s_silo.Http;
        var flowId = SdkFlows.NewId("broken-rt");
        (await http.PutAsJsonAsync($"/api/flows/{flowId}/draft", FlowDefinition.Chain("broken", new StepDefinition("greet", "broken", "greet")))).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await http.PutAsync($"/api/flows/{flowId}/mode", Json("""{"mode":"Realtime"}"""))).EnsureSuccessStatusCode();

        await using var cli = (await CliProcess.RunAsync(s_silo, "start", flowId)).AssertExit(ExitCodes.Failed);

        AssertDescribes(cli.Stderr);
        var status = await http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}");
        Assert.AreEqual("Failed", status.GetProperty("lifecycle").GetString());
        AssertDescribes(status.GetProperty("error").GetString());
    }

    [TestMethod]
    public async Task Cli_ShowsTheExitCodeAndEachStderrLine_OfTheExecutionAndTheDeadLetter()
    {
        await using var execution = (await CliProcess.RunAsync(s_silo, "execution", s_flowId, s_executionId)).AssertExit(ExitCodes.Ok);
        await using var letters = (await CliProcess.RunAsync(s_silo, "dead-letters", s_flowId)).AssertExit(ExitCodes.Ok);

        foreach (var output in new[] { execution.Stdout, letters.Stdout })
        {
            AssertDescribes(output);
            Assert.IsTrue(output.Split('\n').Any(line => line.Trim() == Missing), $"The stderr line should stand on a line of its own:\n{output}");
        }
    }

    [TestMethod]
    [TestCategory("Browser")]
    public async Task Console_ShowsTheExitCodeAndEachStderrLine_OnTheFlowAndDeadLetterPages()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync();
        await using var context = await browser.NewContextAsync(s_silo);
        var page = await ConsoleBrowser.LogInAsync(context, $"/console/flow?id={s_flowId}");
        await ConsoleBrowser.WaitLiveAsync(page);

        var stepError = page.Locator("tr", new() { HasText = "greet" }).Locator(".error-text").First;
        await Expect(stepError).ToContainTextAsync("exited with code 3");
        AssertKeepsLines(await stepError.InnerTextAsync());

        await page.GotoAsync($"/console/dead-letters?id={s_flowId}");
        await ConsoleBrowser.WaitLiveAsync(page);
        var letterError = page.Locator("tbody#dead-letters tr[data-dead-letter] .error-text").First;
        await Expect(letterError).ToContainTextAsync("exited with code 3");
        AssertKeepsLines(await letterError.InnerTextAsync());
    }

    private static void AssertDescribes(string? text)
    {
        Assert.IsNotNull(text);
        StringAssert.Contains(text, "exited with code 3 before it answered its health probe");
        StringAssert.Contains(text, "node:internal/modules/cjs/loader:1228");
        StringAssert.Contains(text, Missing);
    }

    /// <summary>As rendered: the stderr lines stay lines, not one run-on paragraph.</summary>
    private static void AssertKeepsLines(string shown) =>
        Assert.IsTrue(shown.Split('\n').Any(line => line.Trim() == Missing), $"The console shows the stderr line on a line of its own:\n{shown}");
}
