using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowActors.Cli;
using FlowActors.Client;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Processes;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Mappings;

/// <summary>
/// The mapping acceptance flow against the Silo process as it ships: created once through the HTTP API, once through
/// CLI files and once through the SDK, run in both modes on local processes, every output and the branch it took
/// asserted; then tried, stopped, through the API and the CLI, leaving no process behind.
/// </summary>
[TestClass]
public sealed class MappingAcceptanceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>The acceptance flow as JSON, the way a user writes it for the API and in a file.</summary>
    private const string DefinitionJson = """
        {
          "name": "orders by country",
          "steps": [
            { "id": "split", "componentId": "echo", "action": "echo", "mapping": "lines.{ \"order\": $$.orderId, \"sku\": sku, \"total\": qty * price, \"country\": country, \"customer\": $$.customer.first & \" \" & $$.customer.last }", "each": true },
            { "id": "de", "componentId": "transform", "action": "uppercase", "configuration": { "field": "customer" } },
            { "id": "rest", "componentId": "echo", "action": "echo", "mapping": "{ \"sku\": sku, \"total\": total, \"branch\": \"rest\" }" }
          ],
          "edges": [
            { "from": "split", "to": "de", "when": "country = \"DE\" " },
            { "from": "split", "to": "rest", "otherwise": true }
          ]
        }
        """;

    [TestMethod]
    public async Task AcceptanceFlow_CreatedThroughApiCliFilesAndSdk_RunsInBothModes_EachLineOnItsBranch()
    {
        await using var silo = await SiloProcess.StartAsync();
        await using var sdk = await SdkHost.StartAsync(silo);
        var client = sdk.Client;
        await SdkFlows.DeploySamplesAsync(client);

        // The HTTP API, real-time.
        const string api = "orders-api";
        Assert.AreEqual(HttpStatusCode.OK, (await silo.Http.PutAsync($"/api/flows/{api}/draft", Json(DefinitionJson))).StatusCode);
        (await silo.Http.PostAsync($"/api/flows/{api}/publish", null)).EnsureSuccessStatusCode();
        (await silo.Http.PutAsync($"/api/flows/{api}/mode", Json("""{"mode":"Realtime"}"""))).EnsureSuccessStatusCode();
        (await silo.Http.PostAsync($"/api/flows/{api}/start", null)).EnsureSuccessStatusCode();

        // CLI files, ordinary.
        const string cli = "orders-cli";
        var folder = Directory.CreateTempSubdirectory("flowactors-mapping-").FullName;
        var file = JsonNode.Parse(DefinitionJson)!.AsObject();
        file["kind"] = "flow";
        file["id"] = cli;
        file["mode"] = "ordinary";
        File.WriteAllText(Path.Combine(folder, "orders.json"), file.ToJsonString());
        await using (var applied = await CliProcess.RunAsync(silo, "apply", folder))
        {
            applied.AssertExit(ExitCodes.Ok);
        }

        await using (var again = await CliProcess.RunAsync(silo, "apply", folder))
        {
            StringAssert.Contains(again.AssertExit(ExitCodes.Ok).Stderr, "0 changed", "the file and the silo's draft compare equal, mapping and conditions included");
        }

        // The SDK, both modes.
        var sdkRealtime = await SdkFlows.StartAsync(client, MappingFlows.Orders(), FlowMode.Realtime, "orders-sdk-rt");
        var sdkOrdinary = await SdkFlows.StartAsync(client, MappingFlows.Orders(), FlowMode.Ordinary, "orders-sdk-o");
        await client.WaitUntilRunningAsync(api, Wait);

        foreach (var flowId in new[] { api, cli, sdkRealtime, sdkOrdinary })
        {
            await AssertOutputsAsync(client, flowId);
        }

        Assert.AreEqual(MappingFlows.Orders(), await client.GetDraftAsync(api), "the API's draft is the SDK's definition");
        Assert.AreEqual(MappingFlows.Orders(), await client.GetDraftAsync(cli), "the file's draft is the SDK's definition");
        await AssertTryLeavesNothingAsync(silo, cli);
    }

    /// <summary>One order in; three outputs out, each from its branch, the split hop naming the branch it sent the line to.</summary>
    private static async Task AssertOutputsAsync(IFlowActorsClient client, string flowId)
    {
        using var cancel = new CancellationTokenSource(Wait);
        var events = await client.FollowSubscribedAsync(flowId, cancel.Token);
        var execution = await client.SendAsync(flowId, MappingFlows.Order, cancellationToken: cancel.Token);
        var outputs = new List<FlowEvent>();
        await foreach (var e in events.WithCancellation(cancel.Token))
        {
            if (e.ExecutionId == execution && outputs.Count < 3)
            {
                outputs.Add(e);
            }

            if (outputs.Count == 3)
            {
                break;
            }
        }

        Assert.IsTrue(outputs.All(o => o.Kind == FlowEventKind.Output), $"{flowId}: " + string.Join("; ", outputs.Select(o => o.Error)));
        CollectionAssert.AreEquivalent(
            MappingFlows.Outputs.Select(o => $"{o.Step} {o.Body}").ToArray(),
            outputs.Select(o => $"{o.StepId} {JsonSerializer.Serialize(JsonDocument.Parse(o.Message!.Body).RootElement)}").ToArray(),
            flowId);
        foreach (var output in outputs)
        {
            CollectionAssert.AreEqual(new[] { output.StepId }, output.Path.Single(p => p.StepId == "split").RoutedTo?.ToArray(), flowId);
        }
    }

    /// <summary>The stopped flow's draft tried through the API and the CLI: the same branches, and no process left.</summary>
    private static async Task AssertTryLeavesNothingAsync(SiloProcess silo, string flowId)
    {
        (await silo.Http.PostAsync($"/api/flows/{flowId}/stop", null)).EnsureSuccessStatusCode();
        var response = await silo.Http.PostAsync($"/api/flows/{flowId}/steps/split/try", Json($$"""{"body": {{MappingFlows.Order}}}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
        var trial = JsonNode.Parse(text)!;
        Assert.IsNull(trial["error"], text);
        Assert.AreEqual(3, trial["mapped"]!.AsArray().Count, text);
        CollectionAssert.AreEqual(
            new[] { "de", "rest", "de" },
            trial["emits"]!.AsArray().Select(e => e!["edges"]!.AsArray().Single(x => x!["taken"]!.GetValue<bool>())!["to"]!.GetValue<string>()).ToArray(),
            text);
        Assert.AreEqual(
            """{"order":7,"sku":"a","total":6,"country":"DE","customer":"ada lovelace"}""",
            trial["mapped"]![0]!.ToJsonString(),
            "the answer holds JSON values, not strings");

        await using (var tried = await CliProcess.RunAsync(silo, "try", flowId, MappingFlows.Order))
        {
            var stdout = tried.AssertExit(ExitCodes.Ok).Stdout;
            StringAssert.Contains(stdout, "step 'rest'");
            StringAssert.Contains(stdout, """→ de""");
        }

        Assert.IsEmpty(ContainerProcesses.WithCommandLineContaining($"flowactors:{flowId}/"), "the tries' component processes are gone");
        var missing = await silo.Http.PostAsync($"/api/flows/{flowId}/steps/nope/try", Json("""{"body": {}}"""));
        Assert.AreEqual(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
