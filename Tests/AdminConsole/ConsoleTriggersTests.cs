using System.Text.RegularExpressions;
using FlowActors.Silo.Samples;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FlowActors.Tests.AdminConsole;

public sealed partial class ConsoleTests
{
    [TestMethod]
    public async Task FlowPage_ShowsTheSchedule_AndWhatItsTicksDid()
    {
        const string FlowId = "console-ticks";
        await DeployAsync("counter", SampleDeployments.Counter());
        await DeployAsync("echo", SampleDeployments.Echo());
        var api = $"/api/flows/{FlowId}";
        (await s_silo.Http.PutAsync($"{api}/draft", Json("""
            {"name":"Console ticks","steps":[{"id":"count","componentId":"counter","action":"count"},{"id":"answer","componentId":"echo","action":"echo"}]}
            """))).EnsureSuccessStatusCode();
        (await s_silo.Http.PostAsync($"{api}/publish", null)).EnsureSuccessStatusCode();
        (await s_silo.Http.PutAsync($"{api}/triggers/schedule", Json("""{"interval":"00:00:01"}"""))).EnsureSuccessStatusCode();
        (await s_silo.Http.PostAsync($"{api}/start", null)).EnsureSuccessStatusCode();

        var page = await ConsoleBrowser.LogInAsync(_context);
        await page.GotoAsync($"/console/flow?id={FlowId}");
        var triggers = page.GetByRole(AriaRole.Region, new() { Name = "Triggers" });
        var schedule = triggers.Locator("tr", new() { HasText = "Schedule" });
        await Expect(schedule).ToContainTextAsync("every 00:00:01");
        await Expect(schedule).ToContainTextAsync("Ticking");
        await Expect(schedule).ToContainTextAsync(new Regex("fired [1-9]"));
        await Expect(schedule).ToContainTextAsync(new Regex("snapshot \\{\"next\":[2-9]"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();
        await Expect(schedule).ToContainTextAsync("Not ticking");
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
