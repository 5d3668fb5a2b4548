using System.Net.Http.Json;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;
using Microsoft.Playwright;
using static FlowActors.Tests.Api.HttpApiTests;
using static Microsoft.Playwright.Assertions;

namespace FlowActors.Tests.AdminConsole;

/// <summary>The Flows page's counters and a flow's dead-letters page, in a real headless chromium against the Silo process.</summary>
[TestClass]
[TestCategory("Browser")]
public sealed class DeadLetterConsoleTests
{
    private static SiloProcess s_silo = null!;
    private static ConsoleBrowser s_browser = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_browser = await ConsoleBrowser.LaunchAsync();
        s_silo = await SiloProcess.StartAsync();
        (await s_silo.Http.PostAsJsonAsync("/api/components/faulty/revisions", SampleDeployments.Faulty())).EnsureSuccessStatusCode();
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_browser is not null)
        {
            await s_browser.DisposeAsync();
        }

        if (s_silo is not null)
        {
            await s_silo.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task FlowsPage_CountsADeadLetter_WhoseOwnPageShowsIt_AndDiscardsIt()
    {
        var http = s_silo.Http;
        var flowId = SdkFlows.NewId("dlc");
        (await http.PutAsJsonAsync($"/api/flows/{flowId}/draft", FlowDefinition.Chain("fails", new StepDefinition("check", "faulty", "maybeFail")))).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/messages", Json("""{"fail":"error","order":"A-17"}"""))).EnsureSuccessStatusCode();
        await FlowActorsClientTests.PollAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}/dead-letters"), p => p.GetProperty("total").GetInt32() == 1);

        await using var context = await s_browser.NewContextAsync(s_silo);
        var page = await ConsoleBrowser.LogInAsync(context);
        var row = page.Locator($"tr[data-flow='{flowId}']");
        await Expect(row.Locator($"[data-counters='{flowId}']")).ToContainTextAsync("1 accepted · 0 completed · 1 failed · 0 in flight");
        await row.GetByRole(AriaRole.Link, new() { Name = "1 dead letter" }).ClickAsync();

        await ConsoleBrowser.WaitLiveAsync(page);
        var letter = page.Locator("tbody#dead-letters tr[data-dead-letter]");
        await Expect(letter).ToHaveCountAsync(1);
        await Expect(letter).ToContainTextAsync("check");
        await Expect(letter).ToContainTextAsync("failed on purpose (fail: error)");
        await letter.Locator("summary.mono").ClickAsync();
        await Expect(letter.GetByLabel("Body")).ToContainTextAsync("A-17");

        await letter.GetByRole(AriaRole.Button, new() { Name = "Discard" }).ClickAsync();
        await Expect(page.Locator("tbody#dead-letters")).ToContainTextAsync("No dead letters.");
        var counts = await http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}/counters");
        Assert.AreEqual(1, counts.GetProperty("deadLettered").GetInt64(), "discarding keeps the count of what was dead-lettered");
        (await http.PostAsync($"/api/flows/{flowId}/stop", null)).EnsureSuccessStatusCode();
    }
}
