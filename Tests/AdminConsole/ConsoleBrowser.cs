using FlowActors.TestSupport.Silos;
using Microsoft.Playwright;

// Not FlowActors.Tests.Console: that namespace would hide System.Console from every test.
namespace FlowActors.Tests.AdminConsole;

/// <summary>
/// Debian's headless chromium driven by Playwright (the driver ships in the NuGet package; no browser is
/// downloaded). Without chromium the browser tests fail, saying how to install it: they never skip.
/// </summary>
internal sealed class ConsoleBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public static string ExecutablePath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/lib/chromium/chromium";

    public IBrowser Browser { get; }

    public static async Task<ConsoleBrowser> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"No chromium at {ExecutablePath}: the browser tests need Debian's chromium. Install it with " +
                "scripts/ensure-chromium.sh (apt-get install chromium), or set CHROMIUM_PATH to a chromium binary.");
        }

        // Expect(...) waits this long for the console's live updates (1 s polling while a flow warms up).
        Assertions.SetDefaultExpectTimeout(20_000);
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", "--disable-default-apps", "--disable-sync"],
            });
            return new ConsoleBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A fresh browser profile (no cookies) pointed at the silo.</summary>
    public Task<IBrowserContext> NewContextAsync(SiloProcess silo) => Browser.NewContextAsync(new()
    {
        BaseURL = silo.BaseAddress.ToString().TrimEnd('/'),
        ViewportSize = new() { Width = 1360, Height = 860 },
        Locale = "en-US",
        TimezoneId = "UTC",
    });

    /// <summary>Logs in through the login page, as a person does, and lands on <paramref name="path"/>, ready.</summary>
    public static async Task<IPage> LogInAsync(IBrowserContext context, string path = "/console/")
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await page.GetByLabel("API key").FillAsync(SiloProcess.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await WaitLiveAsync(page);
        return page;
    }

    /// <summary>Waits until the page's script has loaded its data once (its controls work from then on).</summary>
    public static async Task WaitLiveAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("Live");
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
