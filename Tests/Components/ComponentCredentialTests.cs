using System.Text.Json;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Containers.Processes;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Grains.Credentials;
using FlowActors.Grains.Interfaces.Containers;
using FlowActors.Tests.Credentials;

namespace FlowActors.Tests.Components;

/// <summary>
/// The credential through the component protocol: written into the invoke request by the platform's client, read by
/// the .NET SDK as a typed value (single calls and batches), never repeated in an error text.
/// </summary>
[TestClass]
public sealed class ComponentCredentialTests
{
    private static ComponentClient s_client = null!;
    private static LocalProcessContainerRuntime s_runtime = null!;
    private static ContainerLease s_signer = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_client = SampleComponent.CreateClient();
        s_runtime = SampleComponent.CreateRuntime();
        s_signer = (await SampleComponent.StartHealthyAsync(s_runtime, SampleComponent.Request("signer"))).Lease;
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        await s_runtime.DisposeAsync();
        s_client.Dispose();
    }

    private static readonly ComponentCredential Key = new("crm", 4, new Dictionary<string, string> { ["apiKey"] = "sdk-key-123" });

    [TestMethod]
    public async Task TheComponent_SignsWithTheCredentialItIsHanded()
    {
        var emits = await s_client.InvokeAsync(s_signer.Endpoint, "sign", FlowMessage.Create("""{"a":1}"""), null, null, SampleComponent.CallTimeout, CancellationToken.None, Key);

        var body = emits.Single().Body!.Value;
        Assert.AreEqual(CredentialScenarios.SignatureOf("sdk-key-123", """{"a":1}"""), body.GetProperty("signature").GetString());
        Assert.AreEqual(4, body.GetProperty("credentialRevision").GetInt64());
    }

    [TestMethod]
    public async Task ABatch_HandsEveryMessageTheCredential()
    {
        var results = await s_client.InvokeBatchAsync(
            s_signer.Endpoint, "sign", [FlowMessage.Create("""{"a":1}"""), FlowMessage.Create("""{"a":2}""")], null, null, SampleComponent.CallTimeout, CancellationToken.None, Key);

        CollectionAssert.AreEqual(
            new[] { CredentialScenarios.SignatureOf("sdk-key-123", """{"a":1}"""), CredentialScenarios.SignatureOf("sdk-key-123", """{"a":2}""") },
            results.Select(r => r.Single().Body!.Value.GetProperty("signature").GetString()).ToArray());
    }

    [TestMethod]
    public async Task WithoutACredential_TheComponentRefusesTheCall()
    {
        var emits = await s_client.InvokeAsync(s_signer.Endpoint, "sign", FlowMessage.Create("{}"), null, null, SampleComponent.CallTimeout, CancellationToken.None);

        Assert.AreEqual(EmitKinds.Error, emits.Single().Kind);
        StringAssert.Contains(emits.Single().Error, "no credential");
    }

    [TestMethod]
    public void ErrorTexts_AndTheCredentialsText_NeverShowAValue()
    {
        var credential = new ProtocolCredential("crm", 1, new Dictionary<string, string> { ["apiKey"] = "k-42-secret" });

        Assert.AreEqual("GET /?key=*** failed", credential.Redact("GET /?key=k-42-secret failed"));
        Assert.IsFalse(credential.ToString().Contains("k-42-secret", StringComparison.Ordinal));
        Assert.IsFalse(Key.ToString().Contains("sdk-key-123", StringComparison.Ordinal));
        var missing = Assert.ThrowsExactly<KeyNotFoundException>(() => credential["password"]);
        StringAssert.Contains(missing.Message, "no field 'password'; it has: apiKey");
        var request = JsonSerializer.Deserialize(
            """{"action":"a","message":{"id":"1","executionId":"e","body":{}},"credential":{"id":"crm","revision":1,"fields":{"apiKey":"k-42-secret"}}}""",
            ProtocolJson.Default.InvokeRequest)!;
        Assert.AreEqual("k-42-secret", request.Credential!["apiKey"]);
    }
}
