using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace FlowActors.Silo.Hosting.Azure;

/// <summary>The storage account's service clients, by connection string or by service URI and <see cref="DefaultAzureCredential"/>.</summary>
internal sealed class AzureStorageClients(AzureStorageProfileOptions options)
{
    private readonly Lazy<TokenCredential> _credential = new(() => new DefaultAzureCredential(new DefaultAzureCredentialOptions
    {
        ManagedIdentityClientId = string.IsNullOrWhiteSpace(options.ManagedIdentityClientId) ? null : options.ManagedIdentityClientId,
    }));

    public TableServiceClient Tables() => options.UsesConnectionString
        ? new TableServiceClient(options.ConnectionString)
        : new TableServiceClient(options.TableServiceUri, _credential.Value);

    public BlobServiceClient Blobs() => options.UsesConnectionString
        ? new BlobServiceClient(options.ConnectionString)
        : new BlobServiceClient(options.BlobServiceUri, _credential.Value);

    public QueueServiceClient Queues() => options.UsesConnectionString
        ? new QueueServiceClient(options.ConnectionString)
        : new QueueServiceClient(options.QueueServiceUri, _credential.Value);
}
