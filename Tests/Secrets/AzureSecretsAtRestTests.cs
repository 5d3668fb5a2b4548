using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FlowActors.Client.Hosting;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Api;
using FlowActors.Tests.Credentials;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Secrets;

/// <summary>
/// The Azure profile on Azurite: secrets set through the API are in no blob (grain state, the key ring) and no table of
/// the deployment, the key ring's keys are encrypted with the cluster's certificate, and a new silo process, which has
/// only the shared key ring and the certificate, opens what the first one sealed.
/// </summary>
[TestClass]
[TestCategory("Security")]
public sealed class AzureSecretsAtRestTests
{
    [TestMethod]
    public async Task Secrets_AreInNoBlobOrTable_AndAnotherSiloOpensThem()
    {
        var credential = $"cred-{Guid.NewGuid():N}";
        var sasKey = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        var cluster = await AzureSiloCluster.StartAsync(1);
        string webhook;
        try
        {
            var http = cluster.Silos[0].Http;
            (await http.PostAsJsonAsync("/api/components/signer/revisions", SampleDeployments.Signer(), SiloApi.Json)).EnsureSuccessStatusCode();
            (await http.PutAsJsonAsync("/api/credentials/crm", new { fields = new { apiKey = credential } })).EnsureSuccessStatusCode();
            (await http.PutAsJsonAsync("/api/flows/signing/draft", CredentialScenarios.Signing("crm"), SiloApi.Json)).EnsureSuccessStatusCode();
            (await http.PostAsync("/api/flows/signing/publish", null)).EnsureSuccessStatusCode();
            (await http.PostAsync("/api/flows/signing/start", null)).EnsureSuccessStatusCode();
            using var created = await http.PostAsync("/api/flows/signing/webhook", null);
            webhook = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;
            // On a flow that never starts: its trigger never tries to reach the namespace (tests talk to loopback only).
            (await http.PutAsJsonAsync("/api/flows/parked/draft", CredentialScenarios.Signing("crm"), SiloApi.Json)).EnsureSuccessStatusCode();
            (await http.PutAsJsonAsync("/api/flows/parked/triggers/servicebus", new
            {
                connectionString = $"Endpoint=sb://atrest.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={sasKey}",
                queue = "orders",
            })).EnsureSuccessStatusCode();
            await cluster.StopAsync();

            var search = new SecretSearch(new Dictionary<string, string>
            {
                ["webhook secret"] = webhook,
                ["Service Bus connection string's key"] = sasKey,
                ["credential value"] = credential,
            });
            var names = new AzureResourceNames(cluster.Prefix);
            var blobs = new BlobServiceClient(cluster.ConnectionString);
            var keys = 0;
            foreach (var container in new[] { names.GrainStateContainer, names.KeyRingContainer })
            {
                await foreach (var item in blobs.GetBlobContainerClient(container).GetBlobsAsync())
                {
                    var content = (await blobs.GetBlobContainerClient(container).GetBlobClient(item.Name).DownloadContentAsync()).Value.Content.ToArray();
                    search.In($"blob {container}/{item.Name}", content);
                    if (container == names.KeyRingContainer && item.Name.Contains("key-", StringComparison.Ordinal))
                    {
                        keys++;
                        var text = Encoding.UTF8.GetString(content);
                        StringAssert.Contains(text, "flowActorsEncryptedKey", "a key is stored encrypted with the cluster's certificate");
                        Assert.IsFalse(text.Contains("<masterKey", StringComparison.Ordinal), text);
                    }
                }
            }

            Assert.IsGreaterThanOrEqualTo(1, keys, "the key ring is in its container");
            var tables = new TableServiceClient(cluster.ConnectionString);
            await foreach (var table in tables.QueryAsync(t => t.Name.CompareTo(cluster.Prefix) >= 0))
            {
                if (table.Name.StartsWith(cluster.Prefix, StringComparison.Ordinal))
                {
                    await foreach (var row in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
                    {
                        search.In($"table {table.Name}", JsonSerializer.Serialize(row));
                    }
                }
            }

            search.AssertNothingFound();
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        // A new process: nothing in memory, only the blobs and the certificate.
        var restarted = await AzureSiloCluster.StartAsync(1, cluster);
        try
        {
            var silo = restarted.Silos[0];
            var reply = await silo.SendAndWaitAsync("signing", """{"n":2}""");
            Assert.AreEqual(CredentialScenarios.SignatureOf(credential, """{"n":2}"""), reply.GetProperty("body").GetProperty("signature").GetString());

            using var hooks = silo.NewWebhookClient();
            using var accepted = await hooks.SendAsync(WebhookTests.Signed(HttpMethod.Post, "/hooks/signing", """{"n":3}""", webhook));
            Assert.AreEqual(HttpStatusCode.Accepted, accepted.StatusCode, await accepted.Content.ReadAsStringAsync());
            var trigger = await silo.Http.GetFromJsonAsync<JsonElement>("/api/flows/parked/triggers/servicebus");
            Assert.AreEqual("atrest.servicebus.windows.net", trigger.GetProperty("namespace").GetString(), "the connection string opens");
        }
        finally
        {
            await restarted.DisposeAsync();
        }
    }
}
