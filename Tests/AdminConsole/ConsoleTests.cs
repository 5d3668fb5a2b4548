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
/// The admin console in a real headless chromium against the Silo running as its own process: what an operator
/// sees and clicks. Assertions auto-wait for the console's live updates; nothing sleeps.
/// </summary>
[TestClass]
[TestCategory("Browser")]
public sealed partial class ConsoleTests
{
    private const string SlowEcho = "slow-echo";

    private static SiloProcess s_silo = null!;
    private static ConsoleBrowser s_browser = null!;
    private IBrowserContext _context = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_browser = await ConsoleBrowser.LaunchAsync();
        s_silo = await SiloProcess.StartAsync();
        await DeployAsync("transform", SampleDeployments.Transform());

        // Takes seconds to answer its health probe, so that a real-time start stays visibly in WarmingUp.
        await DeployAsync(SlowEcho, SampleDeployments.Echo(warmUp: TimeSpan.FromSeconds(4)));
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

    [TestInitialize]
    public async Task NewContextAsync() => _context = await s_browser.NewContextAsync(s_silo);

    [TestCleanup]
    public async Task CloseContextAsync()
    {
        if (TestContext.CurrentTestOutcome != UnitTestOutcome.Passed && _context.Pages.Count > 0)
        {
            // What the page showed when the test failed, beside the test results.
            var file = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{TestContext.TestName}.png");
            await _context.Pages[^1].ScreenshotAsync(new() { Path = file, FullPage = true });
            TestContext.AddResultFile(file);
            TestContext.WriteLine(s_silo.RecentOutput);
        }

        await _context.CloseAsync();
    }

    [TestMethod]
    public async Task ConsoleAndDashboard_SendBrowsersToTheLoginPage_ThatRefusesAWrongKey()
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync("/console/components");
        await Expect(page).ToHaveURLAsync(new Regex("/console/login\\?returnUrl="));

        await page.GetByLabel("API key").FillAsync("not-the-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That is not the API key.");

        await page.GetByLabel("API key").FillAsync(SiloProcess.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/console/components$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Components" })).ToBeVisibleAsync();

        var cookie = (await _context.CookiesAsync()).Single(c => c.Name == "flowactors_session");
        Assert.IsTrue(cookie.HttpOnly, "the session cookie must be HttpOnly");
        Assert.AreEqual(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.IsFalse(cookie.Value.Contains(SiloProcess.ApiKey, StringComparison.Ordinal), "the cookie must not be the key");

        var dashboard = await page.GotoAsync("/dashboard/");
        Assert.AreEqual(200, dashboard!.Status);
        await Expect(page).ToHaveURLAsync(new Regex("/dashboard/$"));
        await Expect(page).ToHaveTitleAsync(new Regex("Orleans", RegexOptions.IgnoreCase));

        await page.GotoAsync("/console/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/console/login"));
        await page.GotoAsync("/dashboard/");
        await Expect(page).ToHaveURLAsync(new Regex("/console/login\\?returnUrl=%2Fdashboard"));
    }

    [TestMethod]
    public async Task Dashboard_RendersUnderItsContentSecurityPolicy_WithNothingRefused()
    {
        var page = await ConsoleBrowser.LogInAsync(_context);
        var refused = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                refused.Add(message.Text);
            }
        };
        page.PageError += (_, error) => refused.Add(error);

        var dashboard = await page.GotoAsync("/dashboard/");

        StringAssert.Contains(await dashboard!.HeaderValueAsync("content-security-policy"), "frame-ancestors 'none'");
        await Expect(page.Locator("#menu a").First).ToBeVisibleAsync(); // its script ran and drew the menu
        await Expect(page.Locator("#content")).Not.ToContainTextAsync("Loading...");
        Assert.IsEmpty(refused, string.Join("\n", refused));
    }

    [TestMethod]
    public async Task Flow_CreatedPublishedStartedSwitchedToRealtimeAndMessaged_ThroughTheConsole()
    {
        var flowId = $"console-{Guid.NewGuid():N}"[..16];
        var page = await ConsoleBrowser.LogInAsync(_context);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Flows" })).ToBeVisibleAsync();

        // Create a flow: a draft typed into the editor.
        await page.GetByRole(AriaRole.Button, new() { Name = "New flow" }).ClickAsync();
        await page.GetByLabel("Flow id").FillAsync(flowId);
        await page.GetByLabel("Definition (JSON)").FillAsync($$"""
            { "name": "Console greeting",
              "steps": [ { "id": "shout", "componentId": "transform", "action": "uppercase", "configuration": { "field": "name" } },
                         { "id": "answer", "componentId": "{{SlowEcho}}", "action": "echo" } ] }
            """);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Expect(page.GetByText($"Saved the draft of {flowId}.")).ToBeVisibleAsync();
        var row = page.Locator($"tr[data-flow='{flowId}']");
        await Expect(row).ToContainTextAsync("Draft only");

        // Publish and start it (ordinary: it runs at once).
        await MenuItemAsync(page, flowId, "Publish draft");
        await Expect(row).ToContainTextAsync("Revision 1");
        await MenuItemAsync(page, flowId, "Start");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("Running");

        // While it runs, real-time cannot be switched on: the item is greyed out and says why.
        await OpenMenuAsync(page, flowId);
        var realtime = page.GetByRole(AriaRole.Menuitemcheckbox, new() { Name = "Enable real-time" });
        await Expect(realtime).ToBeDisabledAsync();
        await Expect(realtime).ToHaveAttributeAsync("title", new Regex("Stop the flow first"));
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Menu)).ToBeHiddenAsync();

        // Stopped, it can: a check mark on the item and a rocket beside the name.
        await MenuItemAsync(page, flowId, "Stop");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("Stopped");
        await MenuItemAsync(page, flowId, "Enable real-time", AriaRole.Menuitemcheckbox);
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "Real-time flow" })).ToBeVisibleAsync();
        await Expect(row).ToContainTextAsync("Real-time");
        await OpenMenuAsync(page, flowId);
        await Expect(realtime).ToBeEnabledAsync();
        await Expect(realtime).ToBeCheckedAsync();
        await Expect(realtime.Locator("svg.check")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");

        // A real-time start warms up (the slow echo takes seconds to answer its probe), then runs.
        await MenuItemAsync(page, flowId, "Start");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("Warming up");
        await Expect(row).ToContainTextAsync("1/2 steps ready");
        await OpenMenuAsync(page, flowId);
        await Expect(realtime).ToBeDisabledAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("Running");

        // The flow page: the diagram, the leases, a test message and its reply, the execution with its timings.
        await row.GetByRole(AriaRole.Link, new() { Name = "Console greeting" }).ClickAsync();
        await ConsoleBrowser.WaitLiveAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Console greeting" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Steps: shout → answer" })).ToBeVisibleAsync();
        var steps = page.Locator("#steps");
        await Expect(steps).ToContainTextAsync("leased until the flow stops");
        await Expect(steps.Locator("tr").Nth(1)).ToContainTextAsync(SlowEcho);
        await page.GetByLabel("Message body (JSON)").FillAsync("""{"name":"ada"}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test message" }).ClickAsync();
        await Expect(page.GetByLabel("Reply")).ToContainTextAsync("\"name\": \"ADA\"");
        await Expect(page.GetByText(new Regex("Reply from step answer in \\d+ ms"))).ToBeVisibleAsync();
        await Expect(page.Locator("#executions")).ToContainTextAsync(new Regex("shout [\\d.]+ ms → answer [\\d.]+ ms"));
        await Expect(page.Locator("#executions")).ToContainTextAsync("answer {\"name\":\"ADA\"}"); // the execution's output, kept

        // A redeployed component reaches the running real-time flow only after a restart, and the console says so.
        await DeployAsync(SlowEcho, SampleDeployments.Echo(warmUp: TimeSpan.FromSeconds(4)));
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Restart to pick up" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Components" }).ClickAsync();
        var notice = page.Locator(".notice").Filter(new() { HasText = flowId });
        await Expect(notice).ToContainTextAsync($"{flowId} (answer runs {SlowEcho} revision 1 (newest 2)). Restart to pick up");
        await Expect(page.Locator($"tr[data-component='{SlowEcho}']")).ToContainTextAsync("restart to pick up");
    }

    [TestMethod]
    public async Task Pages_At1400Pixels_FitTheWindow_OneStaleRevisionNotice_CountersOnTwoLines()
    {
        // A real-time flow whose three steps run one component, redeployed while it runs: every step is stale.
        var component = $"layout-{Guid.NewGuid():N}"[..16];
        var flowId = $"layout-{Guid.NewGuid():N}"[..16];
        await DeployAsync(component, SampleDeployments.Echo());
        var definition = FlowDefinition.Chain("Layout",
            new("receive-and-validate-the-order", component, "echo"), new("enrich-with-customer-data", component, "echo"), new("answer", component, "echo"));
        (await s_silo.Http.PutAsJsonAsync($"/api/flows/{flowId}/draft", definition)).EnsureSuccessStatusCode();
        (await s_silo.Http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await s_silo.Http.PutAsJsonAsync($"/api/flows/{flowId}/mode", new { mode = "Realtime" })).EnsureSuccessStatusCode();
        (await s_silo.Http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();

        // Bodies as integrations carry them: long values with no place to break (a token, a hash) in the executions' outputs.
        var longValue = string.Concat(Enumerable.Range(0, 12).Select(i => $"{Guid.NewGuid():N}"));
        for (var i = 0; i < 3; i++)
        {
            using var reply = await s_silo.Http.PostAsJsonAsync($"/api/flows/{flowId}/messages?wait=true", new { orders = longValue, customer = $"customer-{i}" });
            Assert.AreEqual(System.Net.HttpStatusCode.OK, reply.StatusCode, await reply.Content.ReadAsStringAsync());
        }

        await DeployAsync(component, SampleDeployments.Echo(tag: "v2"));
        var page = await ConsoleBrowser.LogInAsync(_context);
        await page.SetViewportSizeAsync(1400, 900);

        // Flows: each flow's counters take two lines, and the table fits.
        var counters = page.Locator($"tr[data-flow='{flowId}'] td:has([data-counters])");
        await Expect(counters).ToContainTextAsync("3 accepted");
        Assert.IsLessThanOrEqualTo(2, await TextLinesAsync(counters), "the counters of a flow take at most two lines");
        await AssertFitsAsync(page, "flows");

        // Flow: the executions table stays inside its panel and the window; one notice for the stale steps.
        await page.GotoAsync($"/console/flow?id={flowId}");
        await ConsoleBrowser.WaitLiveAsync(page);
        await Expect(page.Locator("#executions tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("#notices .notice")).ToHaveCountAsync(1);
        var overflow = await page.Locator("#executions").EvaluateAsync<double>(
            "body => body.closest('table').getBoundingClientRect().right - body.closest('section').getBoundingClientRect().right");
        Assert.IsLessThanOrEqualTo(0.5, overflow, $"the executions table overflows its panel by {overflow} px");
        await AssertFitsAsync(page, "flow");

        // Components: one notice for the flow, naming its three steps, not one per step.
        await page.GotoAsync("/console/components");
        await ConsoleBrowser.WaitLiveAsync(page);
        var notices = page.Locator("#notices .notice");
        await Expect(notices).ToHaveCountAsync(1);
        foreach (var step in definition.Steps)
        {
            await Expect(notices).ToContainTextAsync(step.Id);
        }

        await AssertFitsAsync(page, "components");
        (await s_silo.Http.PostAsync($"/api/flows/{flowId}/stop", null)).EnsureSuccessStatusCode();
    }

    /// <summary>How many lines of text <paramref name="element"/> shows: the distinct tops of its text's line boxes.</summary>
    private static Task<int> TextLinesAsync(ILocator element) => element.EvaluateAsync<int>("""
        e => {
          const tops = new Set();
          const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (!node.textContent.trim()) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const rect of range.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top / 4));
          }
          return tops.size;
        }
        """);

    /// <summary>Nothing on the page reaches past the window's right edge: no sideways scrolling.</summary>
    private static async Task AssertFitsAsync(IPage page, string name)
    {
        var (scroll, window) = (await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("window.innerWidth"));
        Assert.IsLessThanOrEqualTo(window, scroll, $"the {name} page is {scroll} px wide in a {window} px window");
    }

    private static async Task OpenMenuAsync(IPage page, string flowId)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = $"Actions for {flowId}", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Menu, new() { Name = $"Actions for {flowId}" })).ToBeVisibleAsync();
    }

    private static async Task MenuItemAsync(IPage page, string flowId, string item, AriaRole role = AriaRole.Menuitem)
    {
        await OpenMenuAsync(page, flowId);
        var menuItem = page.GetByRole(AriaRole.Menu, new() { Name = $"Actions for {flowId}" }).GetByRole(role, new() { Name = item });
        await Expect(menuItem).ToBeEnabledAsync();
        await menuItem.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Menu)).ToBeHiddenAsync();
    }

    private static async Task DeployAsync(string componentId, ComponentDeployment deployment) =>
        (await s_silo.Http.PostAsJsonAsync($"/api/components/{componentId}/revisions", deployment)).EnsureSuccessStatusCode();
}
