using System.Net.Http.Json;
using System.Text.Json;
using FlowActors.TestSupport.Silos;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FlowActors.Tests.AdminConsole;

/// <summary>The Credentials page in a real headless chromium against the Silo process: set, rotate, delete; values never shown.</summary>
[TestClass]
[TestCategory("Browser")]
public sealed class CredentialConsoleTests
{
    [TestMethod]
    public async Task CredentialsPage_SetsRotatesAndDeletes_AndNeverShowsAValue()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync();
        await using var silo = await SiloProcess.StartAsync();
        await using var context = await browser.NewContextAsync(silo);
        var page = await ConsoleBrowser.LogInAsync(context, "/console/credentials");
        await ConsoleBrowser.WaitLiveAsync(page);

        await page.GetByLabel("Id").FillAsync("crm");
        await page.Locator("#fields .field-name").FillAsync("apiKey");
        await page.Locator("#fields .field-value").FillAsync("console-key-one-4e2b");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var row = page.Locator("tr[data-credential='crm']");
        await Expect(row).ToContainTextAsync("revision 1");
        await Expect(row.Locator("[data-field='apiKey']")).ToBeVisibleAsync();

        await row.GetByRole(AriaRole.Button, new() { Name = "Rotate" }).ClickAsync();
        await Expect(page.Locator("#form-title")).ToHaveTextAsync("Rotate crm");
        await page.Locator("#fields .field-value").FillAsync("console-key-two-8d1c");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(row).ToContainTextAsync("revision 2");
        await Expect(page.Locator("#fields .field-value")).ToHaveValueAsync("", new() { Timeout = 5000 });

        var shown = await page.ContentAsync() + await silo.Http.GetStringAsync("/api/credentials");
        Assert.IsFalse(shown.Contains("console-key-one", StringComparison.Ordinal) || shown.Contains("console-key-two", StringComparison.Ordinal), shown);

        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.Locator("tbody#credentials")).ToContainTextAsync("No credentials yet");
        Assert.AreEqual(0, (await silo.Http.GetFromJsonAsync<JsonElement>("/api/credentials")).GetArrayLength());
    }
}
