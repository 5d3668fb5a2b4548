using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Api;
using FlowActors.Tests.Client;

namespace FlowActors.Tests.Flows;

/// <summary>
/// The real Silo process with its shipped settings (ports and the API key aside, samples seeded as
/// <c>dotnet run --project Silo</c> does): forcing Orleans' activation collection leaves every flow serving, and the
/// real-time ones serving from the containers they had.
/// </summary>
[TestClass]
public sealed class SiloActivationCollectionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [TestMethod]
    public async Task ForcedActivationCollection_OnARunningSilo_EveryFlowAnswersItsNextMessage_RealtimeOnesFromTheSameContainers()
    {
        await using var silo = await SiloProcess.StartAsync("--FlowActors:SeedSamples=true");
        var http = silo.Http;
        var apiFlow = SdkFlows.NewId("api");
        (await http.PutAsJsonAsync($"/api/flows/{apiFlow}/draft", SdkFlows.Shout())).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{apiFlow}/publish", null)).EnsureSuccessStatusCode();
        (await http.PutAsync($"/api/flows/{apiFlow}/mode", HttpApiTests.Json("""{"mode":"Realtime"}"""))).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{apiFlow}/start", null)).EnsureSuccessStatusCode();
        string[] realtime = [SampleFlowSeeder.RealtimeFlow, apiFlow];
        string[] flows = [SampleFlowSeeder.OrdinaryFlow, .. realtime];

        foreach (var flowId in flows)
        {
            await WaitUntilRunningAsync(silo, flowId);
            await AssertAnswersAsync(silo, flowId);
        }

        var before = await Task.WhenAll(realtime.Select(flowId => ContainersAsync(http, flowId)));

        await using (var sdk = await SdkHost.StartAsync(silo))
        {
            await sdk.Cluster.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        }

        foreach (var flowId in flows)
        {
            await AssertAnswersAsync(silo, flowId);
        }

        var after = await Task.WhenAll(realtime.Select(flowId => ContainersAsync(http, flowId)));
        for (var i = 0; i < realtime.Length; i++)
        {
            Assert.AreEqual(before[i], after[i], $"{realtime[i]} serves from the containers it had (no warm-up)\n{silo.RecentOutput}");
        }
    }

    private static async Task AssertAnswersAsync(SiloProcess silo, string flowId)
    {
        var response = await silo.Http.PostAsync($"/api/flows/{flowId}/messages?wait=true&timeout=30", HttpApiTests.Json("""{"name":"ada"}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"{flowId}: {text}\n{silo.RecentOutput}");
        Assert.AreEqual("ADA", JsonDocument.Parse(text).RootElement.GetProperty("body").GetProperty("name").GetString());
    }

    /// <summary>The flow's steps and their containers, as the API shows them, e.g. <c>shout=process-1;answer=process-2</c>.</summary>
    private static async Task<string> ContainersAsync(HttpClient http, string flowId)
    {
        var status = await http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}");
        var steps = status.GetProperty("steps").EnumerateArray()
            .Select(s => $"{s.GetProperty("stepId").GetString()}={s.GetProperty("containerId").GetString()}")
            .Order(StringComparer.Ordinal);
        return string.Join(';', steps);
    }

    private static async Task WaitUntilRunningAsync(SiloProcess silo, string flowId)
    {
        using var cts = new CancellationTokenSource(Wait);
        while (true)
        {
            var response = await silo.Http.GetAsync($"/api/flows/{flowId}", CancellationToken.None);
            if (response.IsSuccessStatusCode
                && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("lifecycle").GetString() == "Running")
            {
                return;
            }

            Assert.IsFalse(cts.IsCancellationRequested, $"{flowId} was not running {Wait.TotalSeconds} s after the silo started.\n{silo.RecentOutput}");
            await Task.Delay(100, CancellationToken.None);
        }
    }
}
