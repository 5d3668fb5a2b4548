using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;

namespace FlowActors.Tests.Hosting;

/// <summary>The sample seeder of <c>dotnet run --project Silo</c> seeds what is missing and leaves what a user changed.</summary>
[TestClass]
public sealed class SampleSeederTests
{
    private const string Seed = "--FlowActors:SeedSamples=true";

    [TestMethod]
    public async Task AfterARestart_TheSeederKeepsWhatTheUserChanged()
    {
        var dataFolder = Directory.CreateTempSubdirectory("flowactors-seed-").FullName;
        try
        {
            await using (var first = await SiloProcess.StartInAsync(dataFolder, Seed))
            {
                await UserWorld.WaitForRunningAsync(first.Http, SampleFlowSeeder.RealtimeFlow, TimeSpan.FromSeconds(60));
                (await first.Http.PostAsync($"/api/flows/{SampleFlowSeeder.RealtimeFlow}/stop", null)).EnsureSuccessStatusCode();
                (await first.Http.PutAsJsonAsync($"/api/flows/{SampleFlowSeeder.OrdinaryFlow}/draft",
                    FlowDefinition.Chain("mine", new StepDefinition("answer", "echo", "echo")))).EnsureSuccessStatusCode();
                (await first.Http.PostAsJsonAsync("/api/components/echo/revisions", SampleDeployments.Echo())).EnsureSuccessStatusCode();
                Assert.AreEqual(0, await first.StopAsync(TimeSpan.FromSeconds(60)), first.RecentOutput);
            }

            await using var second = await SiloProcess.StartInAsync(dataFolder, Seed);
            await WaitForOutputAsync(second, "seeded where missing", TimeSpan.FromSeconds(60));

            var realtime = await second.Http.GetFromJsonAsync<JsonElement>($"/api/flows/{SampleFlowSeeder.RealtimeFlow}");
            Assert.AreEqual("Stopped", realtime.GetProperty("lifecycle").GetString(), "a sample the user stopped stays stopped");
            Assert.AreEqual("Realtime", realtime.GetProperty("mode").GetString());
            var draft = await second.Http.GetFromJsonAsync<JsonElement>($"/api/flows/{SampleFlowSeeder.OrdinaryFlow}/draft");
            Assert.AreEqual("mine", draft.GetProperty("name").GetString(), "the user's draft is kept");
            Assert.AreEqual("Running", (await second.Http.GetFromJsonAsync<JsonElement>($"/api/flows/{SampleFlowSeeder.OrdinaryFlow}")).GetProperty("lifecycle").GetString());
            Assert.AreEqual(2, (await second.Http.GetFromJsonAsync<JsonElement>("/api/components/echo/revisions")).GetProperty("total").GetInt32(), "no revision is added to a deployed component");
            Assert.AreEqual(1, (await second.Http.GetFromJsonAsync<JsonElement>("/api/components/transform/revisions")).GetProperty("total").GetInt32());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataFolder, recursive: true);
        }
    }

    private static async Task WaitForOutputAsync(SiloProcess silo, string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!silo.RecentOutput.Contains(text, StringComparison.Ordinal))
        {
            Assert.IsLessThan(timeout, clock.Elapsed, $"The silo did not log '{text}':\n{silo.RecentOutput}");
            await Task.Delay(100);
        }
    }
}
