using System.Net.Http.Json;
using System.Text.RegularExpressions;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

// Not FlowActors.Tests.Console: that namespace would hide System.Console from every test.
namespace FlowActors.Tests.AdminConsole;

/// <summary>The console's charts, drawn from the silo's metrics after real traffic (part of <see cref="ConsoleTests"/>: its silo and browser).</summary>
public sealed partial class ConsoleTests
{
    [TestMethod]
    public async Task FlowPage_ChartsLatencyThroughputAndErrors_OfTheFlowAndEachStep_AndTheFlowsPageASparkline()
    {
        var http = s_silo.Http;
        await DeployAsync("faulty", SampleDeployments.Faulty());
        const string flowId = "charted";
        var definition = FlowDefinition.Chain("Charted",
            new StepDefinition("shout", "transform", "uppercase", """{"field":"name"}"""),
            new StepDefinition("check", "faulty", "maybeFail"));
        (await http.PutAsJsonAsync($"/api/flows/{flowId}/draft", definition)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        foreach (var body in new object[] { new { name = "ada" }, new { name = "lin" }, new { name = "grace" }, new { fail = "error" } })
        {
            await http.PostAsync($"/api/flows/{flowId}/messages?wait=true", JsonContent.Create(body));
        }

        var page = await ConsoleBrowser.LogInAsync(_context, $"/console/flow?id={flowId}");
        var flow = page.Locator("figure[data-chart='flow']");
        await Expect(flow.GetByRole(AriaRole.Img, new() { Name = "Flow: latency and throughput over the last 15 minutes" })).ToBeVisibleAsync();
        await Expect(flow).ToContainTextAsync("4 messages · 1 error");
        await Expect(flow.Locator("circle.point.p50").First).ToBeVisibleAsync();
        await Expect(flow.Locator("rect.bar").First).ToBeVisibleAsync();
        await Expect(flow.Locator("path.error-mark")).ToHaveCountAsync(1);
        foreach (var (step, summary) in new[] { ("shout", "4 messages · 0 errors"), ("check", "4 messages · 1 error") })
        {
            var chart = page.Locator($"figure[data-chart='{step}']");
            await Expect(chart).ToContainTextAsync(summary);
            await Expect(chart.Locator("circle.point.p99").First).ToBeVisibleAsync();
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Flows" }).First.ClickAsync();
        await Expect(page.Locator($"tr[data-flow='{flowId}'] svg.sparkline")).ToHaveAttributeAsync("aria-label", new Regex("4 messages in the last 15 minutes"));
        (await http.PostAsync($"/api/flows/{flowId}/stop", null)).EnsureSuccessStatusCode();
    }
}
