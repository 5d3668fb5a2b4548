using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Api;
using FlowActors.Tests.Client;
using static FlowActors.Tests.Api.HttpApiTests;

namespace FlowActors.Tests.Components;

/// <summary>
/// A component descriptor's optional per-action details (configuration schema, sample input, title): what the
/// designer builds its forms from. Checked at deploy against the schema's meta-schema; served back as JSON values;
/// declared by the samples and by the SDK's <c>--descriptor</c>.
/// </summary>
[TestClass]
public sealed class ActionDetailsTests
{
    private static SiloProcess s_silo = null!;
    private static HttpClient Http => s_silo.Http;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_silo = await SiloProcess.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_silo.DisposeAsync();

    [TestMethod]
    public async Task Details_AreStoredAndServedAsJsonValues()
    {
        var id = SdkFlows.NewId("det");
        var deployed = await DeployAsync(id, """
            {"actions":["echo"],"details":{"echo":{
              "configurationSchema":{"type":"object","properties":{"greeting":{"type":"string","maxLength":20}}},
              "sampleInput":{"name":"ada"},"title":"Say hello"}}}
            """);
        Assert.AreEqual(HttpStatusCode.Created, deployed.StatusCode, await deployed.Content.ReadAsStringAsync());

        var latest = await Http.GetFromJsonAsync<JsonElement>($"/api/components/{id}/revisions");
        var echo = Latest(latest).GetProperty("descriptor").GetProperty("details").GetProperty("echo");
        Assert.AreEqual(JsonValueKind.Object, echo.GetProperty("configurationSchema").ValueKind, echo.ToString());
        Assert.AreEqual("string", echo.GetProperty("configurationSchema").GetProperty("properties").GetProperty("greeting").GetProperty("type").GetString());
        Assert.AreEqual("""{"name":"ada"}""", echo.GetProperty("sampleInput").GetRawText());
        Assert.AreEqual("Say hello", echo.GetProperty("title").GetString());
    }

    [TestMethod]
    public async Task ASchemaItsMetaSchemaRefuses_Is400_NamingTheFieldAndThePlace()
    {
        var response = await DeployAsync(SdkFlows.NewId("det"),
            """{"actions":["echo"],"details":{"echo":{"configurationSchema":{"type":"object","properties":{"n":{"type":"integr"}}}}}}""");

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "descriptor.details.echo.configurationSchema");
        StringAssert.Contains(problem.GetProperty("detail").GetString(), "/properties/n/type", problem.ToString());
    }

    [TestMethod]
    public async Task DetailsForAnActionTheDescriptorLacks_Is400_NamingIt()
    {
        var response = await DeployAsync(SdkFlows.NewId("det"), """{"actions":["echo"],"details":{"ehco":{"sampleInput":{}}}}""");

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "'descriptor.details.ehco' describes 'ehco', which is not one of the descriptor's actions");
    }

    [TestMethod]
    public async Task ASchemaThatIsNoObject_Is400_SayingWhatToWrite()
    {
        var response = await DeployAsync(SdkFlows.NewId("det"), """{"actions":["echo"],"details":{"echo":{"configurationSchema":[1]}}}""");

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "a configuration schema is an object such as");
    }

    [TestMethod]
    public async Task SampleDeployments_CarryTheSamplesOwnDescriptions()
    {
        var id = SdkFlows.NewId("transform");
        (await Http.PostAsJsonAsync($"/api/components/{id}/revisions", SampleDeployments.Transform())).EnsureSuccessStatusCode();

        var uppercase = Latest(await Http.GetFromJsonAsync<JsonElement>($"/api/components/{id}/revisions"))
            .GetProperty("descriptor").GetProperty("details").GetProperty("uppercase");
        Assert.AreEqual("string", uppercase.GetProperty("configurationSchema").GetProperty("properties").GetProperty("field").GetProperty("type").GetString());
        Assert.AreEqual("ada", uppercase.GetProperty("sampleInput").GetProperty("name").GetString());
    }

    [TestMethod]
    public async Task TheSdkPrintsWhatTheComponentDeclares_WithDescriptor()
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", [SampleComponent.DllPath, "transform", "--descriptor"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.AreEqual(0, process.ExitCode, await process.StandardError.ReadToEndAsync());

        var descriptor = JsonDocument.Parse(output).RootElement;
        Assert.AreEqual("""["uppercase"]""", descriptor.GetProperty("actions").GetRawText());
        var schema = descriptor.GetProperty("details").GetProperty("uppercase").GetProperty("configurationSchema");
        Assert.AreEqual("object", schema.GetProperty("type").GetString(), output);
    }

    private static Task<HttpResponseMessage> DeployAsync(string id, string descriptor) => Http.PostAsync(
        $"/api/components/{id}/revisions",
        Json($$"""{"launch":{"command":"dotnet","arguments":["./FlowActors.SampleComponents.dll","echo"]},"descriptor":{{descriptor}}}"""));

    private static JsonElement Latest(JsonElement page)
    {
        var revisions = page.GetProperty("revisions");
        return revisions[revisions.GetArrayLength() - 1];
    }
}
