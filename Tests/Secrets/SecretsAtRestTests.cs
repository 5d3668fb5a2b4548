using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Credentials;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Secrets;

/// <summary>
/// The real Silo, embedded profile, traces exported to an OTLP receiver, debug logs: a webhook secret, a Service Bus
/// connection string and a credential (used by a running flow) are set through the API, and then searched for, as
/// bytes, in the data folder (database and WAL, the key ring excepted), in every log line, in every exported trace, in
/// the metrics and in every API answer. None is anywhere.
/// </summary>
[TestClass]
[TestCategory("Security")]
public sealed class SecretsAtRestTests
{
    [TestMethod]
    public async Task WebhookSecret_ServiceBusConnectionString_AndCredential_AreNowhereInPlainText()
    {
        await using var receiver = OtlpReceiver.Start();
        await using var silo = await SiloProcess.StartAsync(
            // An endpoint set in configuration is used as it is (the exporter appends /v1/traces only to the environment's):
            // traces go to the receiver, metrics are read from the Prometheus endpoint instead.
            "--FlowActors:Telemetry:Otlp:Enabled=true", $"--FlowActors:Telemetry:Otlp:Endpoint={receiver.Endpoint}v1/traces",
            "--FlowActors:Telemetry:Otlp:Protocol=HttpProtobuf", "--FlowActors:Telemetry:Otlp:Metrics=false", "--FlowActors:Telemetry:Prometheus:Enabled=true",
            "--Logging:LogLevel:FlowActors=Debug");
        var http = silo.Http;
        var answers = new StringBuilder();
        async Task<string> AnswerAsync(Task<HttpResponseMessage> request, bool showsTheSecretOnce = false)
        {
            using var response = await request;
            var text = await response.Content.ReadAsStringAsync();
            if (!showsTheSecretOnce)
            {
                answers.AppendLine(text);
            }

            Assert.IsTrue(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
            return text;
        }

        var credential = $"cred-{Guid.NewGuid():N}";
        var sasKey = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        var connectionString = $"Endpoint=sb://atrest.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={sasKey}";

        await AnswerAsync(http.PostAsJsonAsync("/api/components/signer/revisions", SampleDeployments.Signer(), SiloApi.Json));
        await AnswerAsync(http.PutAsJsonAsync("/api/credentials/crm", new { fields = new { apiKey = credential } }));
        await AnswerAsync(http.PutAsJsonAsync("/api/flows/signing/draft", CredentialScenarios.Signing("crm"), SiloApi.Json));
        await AnswerAsync(http.PostAsync("/api/flows/signing/publish", null));
        await AnswerAsync(http.PutAsJsonAsync("/api/flows/signing/mode", new { mode = "Realtime" }));
        await AnswerAsync(http.PostAsync("/api/flows/signing/start", null));
        var webhook = JsonDocument.Parse(await AnswerAsync(http.PostAsync("/api/flows/signing/webhook", null), showsTheSecretOnce: true)).RootElement.GetProperty("secret").GetString()!;
        // On a flow that never starts: its trigger never tries to reach the namespace (tests talk to loopback only).
        await AnswerAsync(http.PutAsJsonAsync("/api/flows/parked/draft", CredentialScenarios.Signing("crm"), SiloApi.Json));
        await AnswerAsync(http.PutAsJsonAsync("/api/flows/parked/triggers/servicebus", new { connectionString, queue = "orders" }));
        await silo.WaitRunningAsync("signing", TimeSpan.FromSeconds(60));

        // The credential is used: the component signed with it.
        var reply = await silo.SendAndWaitAsync("signing", """{"n":1}""");
        Assert.AreEqual(CredentialScenarios.SignatureOf(credential, """{"n":1}"""), reply.GetProperty("body").GetProperty("signature").GetString());
        answers.AppendLine(reply.GetRawText());
        foreach (var path in new[] { "/api/credentials", "/api/credentials/crm", "/api/flows/signing", "/api/flows/signing/draft", "/api/flows/parked/triggers",
                     "/api/flows/parked/triggers/servicebus", "/api/flows/signing/executions", "/api/overview", "/metrics" })
        {
            answers.AppendLine(await AnswerAsync(http.GetAsync(path)));
        }

        await receiver.WaitForAsync(spans => spans.Any(s => s.Name == "invoke sign"), TimeSpan.FromSeconds(30), "the component call's span");
        var secrets = new Dictionary<string, string>
        {
            ["webhook secret"] = webhook,
            ["Service Bus connection string's key"] = sasKey,
            ["credential value"] = credential,
        };
        var search = new SecretSearch(secrets).InFolder(silo.DataFolder, "keys", "tls");
        Assert.IsTrue(File.Exists(Path.Combine(silo.DataFolder, "flowactors.db-wal")), "the WAL is searched while the silo runs");

        Assert.AreEqual(0, await silo.StopAsync(TimeSpan.FromSeconds(30)));
        search.InFolder(silo.DataFolder, "keys", "tls")
            .In("the silo's log", string.Join('\n', silo.Output))
            .In("API answers", answers.ToString());
        foreach (var payload in receiver.Payloads)
        {
            search.In("an OTLP export", payload);
        }

        search.AssertNothingFound();
        Assert.Contains(l => l.Contains("Credential crm was set", StringComparison.Ordinal), silo.Output, "the log was searched with FlowActors' debug lines in it");
    }
}
