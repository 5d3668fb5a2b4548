using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FlowActors.Tests.AdminConsole;

/// <summary>The console's JSON editor carries mappings and edge conditions, and shows what is wrong with one by its field.</summary>
public sealed partial class ConsoleTests
{
    [TestMethod]
    public async Task DraftEditor_SavesAMappingAndConditions_AndNamesTheFieldOfAnExpressionThatDoesNotCompile()
    {
        var flowId = $"console-map-{Guid.NewGuid():N}"[..20];
        var page = await ConsoleBrowser.LogInAsync(_context);
        await page.GetByRole(AriaRole.Button, new() { Name = "New flow" }).ClickAsync();
        await page.GetByLabel("Flow id").FillAsync(flowId);
        const string Draft = """
            { "name": "Console mapping",
              "steps": [ { "id": "shout", "componentId": "transform", "action": "uppercase", "mapping": "{ \"name\": customer.first & " },
                         { "id": "de", "componentId": "transform", "action": "uppercase" },
                         { "id": "rest", "componentId": "transform", "action": "uppercase" } ],
              "edges": [ { "from": "shout", "to": "de", "when": "country = 'DE'" }, { "from": "shout", "to": "rest", "otherwise": true } ] }
            """;
        var definition = page.GetByLabel("Definition (JSON)");
        await definition.FillAsync(Draft);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Expect(page.Locator("#editor-result")).ToContainTextAsync("steps[0].mapping: The mapping of step 'shout' is not valid JSONata at position");

        await definition.FillAsync(Draft.Replace("customer.first & \" }", "customer.first }\" }", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Expect(page.GetByText($"Saved the draft of {flowId}.")).ToBeVisibleAsync();

        var saved = JsonNode.Parse(await s_silo.Http.GetStringAsync($"/api/flows/{flowId}/draft"))!;
        Assert.AreEqual("{ \"name\": customer.first }", saved["steps"]![0]!["mapping"]!.GetValue<string>());
        Assert.AreEqual("country = 'DE'", saved["edges"]![0]!["when"]!.GetValue<string>());
        Assert.IsTrue(saved["edges"]![1]!["otherwise"]!.GetValue<bool>());
    }
}
