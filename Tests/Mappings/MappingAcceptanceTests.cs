using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowActors.Cli;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Processes;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;
using FlowActors.Tests.Credentials;
using FlowActors.Tests.Docker;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Mappings;

/// <summary>
/// The mapping acceptance flow against the Silo process as it ships: created once through the HTTP API, once through
/// CLI files and once through the SDK, each with the credential its signing step must present created the same way,
/// run in both modes on local processes and on Docker, every output and the branch it took asserted; then tried,
/// stopped, through the API and the CLI, leaving no process or container behind.
/// </summary>
[TestClass]
public sealed class MappingAcceptanceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>The acceptance flow as JSON, the way a user writes it for the API and in a file, naming <paramref name="credential"/>.</summary>
    private static string DefinitionJson(string credential) => $$"""
        {
          "name": "orders by country",
          "steps": [
            { "id": "split", "componentId": "echo", "action": "echo", "mapping": "lines.{ \"order\": $$.orderId, \"sku\": sku, \"total\": qty * price, \"country\": country, \"customer\": $$.customer.first & \" \" & $$.customer.last }", "each": true },
            { "id": "de", "componentId": "transform", "action": "uppercase", "configuration": { "field": "customer" } },
            { "id": "rest", "componentId": "signer", "action": "sign", "configuration": {{MappingFlows.SignerConfiguration}}, "credential": "{{credential}}", "mapping": "{ \"sku\": sku, \"total\": total, \"branch\": \"rest\" }" }
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
        await RunAcceptanceFlowAsync(silo, [], flowId => Task.FromResult<IReadOnlySet<string>>(
            ContainerProcesses.WithCommandLineContaining($"flowactors:{flowId}/").Select(p => $"{p.Pid}").ToHashSet()));

        // Expressions that cannot run are a 400 at save, naming the field (and where a syntax error is). A 1 MB expression
        // (10^6 characters: a draft of 1 MiB or more is refused unread, a 413 naming FlowActors:Api:MaxBodyBytes).
        var huge = new string('x', 1_000_000);
        var refused = await silo.Http.PutAsync("/api/flows/orders-broken/draft", Json($$"""
            {"name":"broken","steps":[{"id":"a","componentId":"echo","action":"echo","mapping":"{ 'n': name, }"},
             {"id":"b","componentId":"echo","action":"echo","mapping":"'{{huge}}'"}],"edges":[{"from":"a","to":"b"}]}
            """));
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, refused.StatusCode, problem.Length > 2000 ? problem[..2000] : problem);
        var errors = JsonNode.Parse(problem)!["errors"]!.AsObject();
        StringAssert.Contains(errors["steps[0].mapping"]![0]!.GetValue<string>(), "at position 14");
        StringAssert.Contains(errors["steps[1].mapping"]![0]!.GetValue<string>(), "at most 65536");
    }

    [TestMethod]
    [TestCategory("Docker")]
    public async Task AcceptanceFlow_OnDocker_CreatedThroughApiCliFilesAndSdk_RunsInBothModes_EachLineOnItsBranch()
    {
        await DockerTestEngine.EnsureReadyAsync("samples");
        var flows = new List<string>();
        try
        {
            await using var silo = await SiloProcess.StartAsync("--FlowActors:Containers:Kind=Docker");
            await RunAcceptanceFlowAsync(silo, flows, async flowId =>
                (await DockerTestEngine.ContainersOfFlowAsync(flowId)).Select(c => c.ID).ToHashSet());
        }
        finally
        {
            // The silo is killed by now (a running one would start its real-time flows' containers again), leaving its
            // containers to a reaper of its cluster that will not come.
            foreach (var flowId in flows)
            {
                await DockerTestEngine.RemoveContainersOfFlowAsync(flowId);
            }
        }
    }

    /// <summary>
    /// Creates, runs and asserts the four flows (their ids added to <paramref name="flows"/> as they are made), then tries
    /// one; <paramref name="componentsOf"/> names the component processes or containers a flow has.
    /// </summary>
    private static async Task RunAcceptanceFlowAsync(SiloProcess silo, List<string> flows, Func<string, Task<IReadOnlySet<string>>> componentsOf)
    {
        await using var sdk = await SdkHost.StartAsync(silo);
        var client = sdk.Client;
        await SdkFlows.DeploySamplesAsync(client);
        await client.DeployComponentAsync("signer", SampleDeployments.Signer());

        // The HTTP API, real-time.
        const string api = "orders-api";
        flows.Add(api);
        (await silo.Http.PutAsync($"/api/credentials/{api}-key", Json($$$"""{"fields":{"apiKey":"{{{MappingFlows.Key}}}"}}"""))).EnsureSuccessStatusCode();
        Assert.AreEqual(HttpStatusCode.OK, (await silo.Http.PutAsync($"/api/flows/{api}/draft", Json(DefinitionJson($"{api}-key")))).StatusCode);
        (await silo.Http.PostAsync($"/api/flows/{api}/publish", null)).EnsureSuccessStatusCode();
        (await silo.Http.PutAsync($"/api/flows/{api}/mode", Json("""{"mode":"Realtime"}"""))).EnsureSuccessStatusCode();
        (await silo.Http.PostAsync($"/api/flows/{api}/start", null)).EnsureSuccessStatusCode();

        // CLI files, ordinary.
        const string cli = "orders-cli";
        flows.Add(cli);
        var folder = Directory.CreateTempSubdirectory("flowactors-mapping-").FullName;
        var file = JsonNode.Parse(DefinitionJson($"{cli}-key"))!.AsObject();
        file["kind"] = "flow";
        file["id"] = cli;
        file["mode"] = "ordinary";
        File.WriteAllText(Path.Combine(folder, "orders.json"), file.ToJsonString());
        File.WriteAllText(Path.Combine(folder, "orders.key"), MappingFlows.Key + "\n");
        var credentialFile = new JsonObject { ["kind"] = "credential", ["id"] = $"{cli}-key", ["fields"] = new JsonObject { ["apiKey"] = new JsonObject { ["file"] = "orders.key" } } };
        File.WriteAllText(Path.Combine(folder, "orders-key.json"), credentialFile.ToJsonString());
        await using (var applied = await CliProcess.RunAsync(silo, "apply", folder))
        {
            applied.AssertExit(ExitCodes.Ok);
        }

        await using (var again = await CliProcess.RunAsync(silo, "apply", folder))
        {
            StringAssert.Contains(again.AssertExit(ExitCodes.Ok).Stderr, "0 changed", "the file and the silo's draft compare equal, mapping and conditions included");
        }

        Directory.Delete(folder, recursive: true); // it holds the key

        // The SDK, both modes.
        await client.SetCredentialAsync("orders-sdk-key", new Dictionary<string, string> { ["apiKey"] = MappingFlows.Key });
        var sdkRealtime = await SdkFlows.StartAsync(client, MappingFlows.Orders("orders-sdk-key"), FlowMode.Realtime, "orders-sdk-rt");
        flows.Add(sdkRealtime);
        var sdkOrdinary = await SdkFlows.StartAsync(client, MappingFlows.Orders("orders-sdk-key"), FlowMode.Ordinary, "orders-sdk-o");
        flows.Add(sdkOrdinary);
        await client.WaitUntilRunningAsync(api, Wait);

        foreach (var flowId in new[] { api, cli, sdkRealtime, sdkOrdinary })
        {
            await AssertOutputsAsync(client, flowId);
        }

        Assert.AreEqual(MappingFlows.Orders($"{api}-key"), await client.GetDraftAsync(api), "the API's draft is the SDK's definition");
        Assert.AreEqual(MappingFlows.Orders($"{cli}-key"), await client.GetDraftAsync(cli), "the file's draft is the SDK's definition");
        await AssertTryLeavesNothingAsync(silo, cli, componentsOf);
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

    /// <summary>The stopped flow's draft tried through the API and the CLI: the same branches, and no process or container left.</summary>
    private static async Task AssertTryLeavesNothingAsync(SiloProcess silo, string flowId, Func<string, Task<IReadOnlySet<string>>> componentsOf)
    {
        (await silo.Http.PostAsync($"/api/flows/{flowId}/stop", null)).EnsureSuccessStatusCode();
        var before = await componentsOf(flowId); // on Docker, an ordinary flow's idle containers may outlive its stop
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
            StringAssert.Contains(stdout, CredentialScenarios.SignatureOf(MappingFlows.Key, """{"sku":"b","total":10,"branch":"rest"}"""), "the try handed the signer its credential");
        }

        var after = await componentsOf(flowId);
        Assert.IsTrue(after.IsSubsetOf(before), $"the tries' component processes or containers are gone: {string.Join(", ", after.Except(before))}");
        var missing = await silo.Http.PostAsync($"/api/flows/{flowId}/steps/nope/try", Json("""{"body": {}}"""));
        Assert.AreEqual(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
