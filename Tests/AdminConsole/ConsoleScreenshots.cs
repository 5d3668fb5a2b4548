using System.Net.Http.Json;
using System.Text.RegularExpressions;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

// Not FlowActors.Tests.Console: that namespace would hide System.Console from every test.
namespace FlowActors.Tests.AdminConsole;

/// <summary>
/// The README's pictures of the console, taken in the real browser against a silo with the sample flows and a few
/// more in other states. Always written beside the test results; written over docs/images/ when
/// FLOWACTORS_UPDATE_SCREENSHOTS=1.
/// </summary>
[TestClass]
[TestCategory("Browser")]
public sealed class ConsoleScreenshots
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task FlowsAndFlowPages_RenderEveryStateOfAFlow()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync();
        // One-second chart buckets: a few seconds of traffic fill the charts the way minutes would at the default.
        await using var silo = await SiloProcess.StartAsync("--FlowActors:SeedSamples=true", "--FlowActors:Telemetry:ConsoleBucket=00:00:01");
        var http = silo.Http;

        // Beside the two running samples: a real-time flow still warming up and a stopped one with an unpublished draft.
        (await http.PostAsJsonAsync("/api/components/slow-echo/revisions", SampleDeployments.Echo(warmUp: TimeSpan.FromMinutes(5)))).EnsureSuccessStatusCode();
        var orders = FlowDefinition.Chain("Orders to CRM",
            new StepDefinition("receive", "transform", "uppercase", """{"field":"name"}"""),
            new StepDefinition("enrich", "delay", "delay", """{"ms":20}"""),
            new StepDefinition("upsert", "slow-echo", "echo"));
        await CreateAsync(http, "orders-sync", orders, FlowMode.Realtime, start: true);
        var export = FlowDefinition.Chain("Nightly export", new StepDefinition("read", "echo", "echo"), new StepDefinition("format", "transform", "uppercase"));
        await CreateAsync(http, "nightly-export", export, FlowMode.Ordinary, start: false);
        (await http.PutAsJsonAsync("/api/flows/nightly-export/draft", export with { Name = "Nightly export (v2)" })).EnsureSuccessStatusCode();
        var payments = FlowDefinition.Chain("Payments",
            new StepDefinition("receive", "transform", "uppercase", """{"field":"name"}"""),
            new StepDefinition("check", "faulty", "maybeFail"),
            new StepDefinition("book", "delay", "delay", """{"ms":8}"""));
        await CreateAsync(http, "payments", payments, FlowMode.Realtime, start: true);
        await WaitRunningAsync(http, "payments"); // warm-up is its own metric: the charts show traffic
        await SendTrafficAsync(http, TimeSpan.FromSeconds(4)); // a few one-second buckets: enough for lines, bars and an error mark

        await using var context = await browser.NewContextAsync(silo);
        var page = await ConsoleBrowser.LogInAsync(context);
        await Expect(page.Locator("tr[data-flow='sample-realtime'] .badge")).ToHaveTextAsync("Running");
        await Expect(page.Locator("tr[data-flow='sample'] .badge")).ToHaveTextAsync("Running");
        await Expect(page.Locator("tr[data-flow='orders-sync']")).ToContainTextAsync("2/3 steps ready");
        await Expect(page.Locator("tr[data-flow='sample-realtime'] .chip")).ToHaveCountAsync(5); // the last five executions
        await Expect(page.Locator("tr[data-flow='sample-realtime'] svg.sparkline")).ToHaveAttributeAsync("aria-label", new Regex("[1-9][0-9]* messages"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Actions for sample-realtime", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Menuitemcheckbox, new() { Name = "Enable real-time" })).ToBeDisabledAsync();
        await page.SetViewportSizeAsync(1360, 560); // the page is as tall as its content, menu included
        await SaveAsync(page, "flows.png");
        await page.SetViewportSizeAsync(1360, 860);

        await page.GotoAsync("/console/flow?id=sample-realtime");
        await ConsoleBrowser.WaitLiveAsync(page);
        await page.GetByLabel("Message body (JSON)").FillAsync("""{ "name": "katherine" }""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test message" }).ClickAsync();
        await Expect(page.GetByLabel("Reply")).ToContainTextAsync("KATHERINE");
        await Expect(page.Locator("#executions tr")).ToHaveCountAsync(20); // the page shows the last twenty
        await Expect(page.Locator("figure[data-chart='lookup'] circle.point.p50").First).ToBeVisibleAsync();
        await page.SetViewportSizeAsync(1360, 1240); // down to the first executions: the page is long with twenty
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await SaveAsync("flow.png", docs: true, file => page.ScreenshotAsync(new() { Path = file }));
        await page.SetViewportSizeAsync(1360, 860);

        await page.GotoAsync("/console/flow?id=payments");
        await ConsoleBrowser.WaitLiveAsync(page);
        await Expect(page.Locator("figure[data-chart='check'] path.error-mark").First).ToBeVisibleAsync();
        await SaveAsync(page.Locator("section:has(#charts)"), "charts.png");

        await page.GetByRole(AriaRole.Link, new() { Name = "Components" }).ClickAsync();
        await Expect(page.Locator("tr[data-component='slow-echo']")).ToContainTextAsync("orders-sync");
        await SaveAsync(page, "components.png", docs: false);

        // The designer at 1280 px: a step's form generated from its action's schema, and a mapping previewed by the silo.
        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync("/console/designer?id=orders-sync");
        await ConsoleBrowser.WaitLiveAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Step receive: transform uppercase" }).ClickAsync();
        await page.GetByLabel("Mapping (JSONata)").FillAsync("{ \"name\": name & \" \" & $uppercase(city), \"city\": city }");
        await Expect(page.GetByLabel("Mapping preview")).ToContainTextAsync("ada LONDON");
        await SaveAsync(page, "designer.png");
    }

    private static async Task CreateAsync(HttpClient http, string flowId, FlowDefinition definition, FlowMode mode, bool start)
    {
        (await http.PutAsJsonAsync($"/api/flows/{flowId}/draft", definition)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"/api/flows/{flowId}/mode", new { mode = mode.ToString() })).EnsureSuccessStatusCode();
        if (start)
        {
            (await http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        }
    }

    /// <summary>
    /// Real traffic for the charts: the samples and the payments flow, a message each every 150 ms (at least twenty),
    /// every seventh payment failing on purpose, each waited for.
    /// </summary>
    private static async Task SendTrafficAsync(HttpClient http, TimeSpan duration)
    {
        var until = DateTime.UtcNow + duration;
        for (var i = 0; i < 20 || DateTime.UtcNow < until; i++) // at least the twenty executions the flow page lists
        {
            var payment = i % 7 == 3 ? (object)new { fail = "error", name = $"p{i}" } : new { name = $"p{i}" };
            await Task.WhenAll(
                http.PostAsJsonAsync("/api/flows/sample-realtime/messages?wait=true", new { name = $"n{i}" }),
                http.PostAsJsonAsync("/api/flows/payments/messages?wait=true", payment),
                i % 4 == 0 ? http.PostAsJsonAsync("/api/flows/sample/messages", new { name = $"o{i}" }) : Task.CompletedTask,
                Task.Delay(150));
        }
    }

    private static async Task WaitRunningAsync(HttpClient http, string flowId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/flows/{flowId}")).GetProperty("lifecycle").GetString() != "Running")
        {
            Assert.IsTrue(DateTime.UtcNow < deadline, $"{flowId} did not warm up within a minute");
            await Task.Delay(100);
        }
    }

    private Task SaveAsync(IPage page, string name, bool docs = true) =>
        SaveAsync(name, docs, file => page.ScreenshotAsync(new() { Path = file, FullPage = true }));

    private Task SaveAsync(ILocator element, string name) =>
        SaveAsync(name, docs: true, file => element.ScreenshotAsync(new() { Path = file }));

    private async Task SaveAsync(string name, bool docs, Func<string, Task> screenshot)
    {
        var file = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), name);
        await screenshot(file);
        TestContext.AddResultFile(file);
        if (docs && Environment.GetEnvironmentVariable("FLOWACTORS_UPDATE_SCREENSHOTS") == "1")
        {
            var images = Path.Combine(RepositoryRoot(), "docs", "images");
            Directory.CreateDirectory(images);
            File.Copy(file, Path.Combine(images, name), overwrite: true);
        }
    }

    private static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "FlowActors.sln")))
        {
            root = root.Parent;
        }

        return root?.FullName ?? throw new InvalidOperationException("FlowActors.sln not found above the test output");
    }
}
