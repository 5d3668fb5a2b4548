using System.Net.Http.Json;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Client;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FlowActors.Tests.AdminConsole;

/// <summary>The Flows page's counters and a flow's dead-letters page (part of <see cref="ConsoleTests"/>: its silo and browser).</summary>
public sealed partial class ConsoleTests
{
    [TestMethod]
    public async Task FlowsPage_CountsADeadLetter_WhoseOwnPageShowsIt_AndDiscardsIt()
    {
        var http = s_silo.Http;
        await DeployAsync("faulty", SampleDeployments.Faulty());
        var flowId = SdkFlows.NewId("dlc");
        (await http.PutAsJsonAsync($"/api/flows/{flowId}/draft", FlowDefinition.Chain("fails", new StepDefinition("check", "faulty", "maybeFail")))).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/messages", Json("""{"fail":"error","order":"A-17"}"""))).EnsureSuccessStatusCode();
        await FlowActorsClientTests.PollAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}/dead-letters"), p => p.GetProperty("total").GetInt32() == 1);

        var page = await ConsoleBrowser.LogInAsync(_context);
        var row = page.Locator($"tr[data-flow='{flowId}']");
        var counters = row.Locator($"[data-counters='{flowId}'] > div");
        await Expect(counters.First).ToHaveTextAsync("1 accepted · 0 completed · 1 failed");
        await Expect(counters.Nth(1)).ToContainTextAsync("0 in flight · 1 dead letter");
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
