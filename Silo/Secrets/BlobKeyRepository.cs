using System.Xml.Linq;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace FlowActors.Silo.Secrets;

/// <summary>
/// The Data Protection key ring in a blob container of the cluster's storage account, one blob per key (or
/// revocation): silos that add a key at the same moment never overwrite each other, so no ETag dance is needed.
/// What is stored is already encrypted (<see cref="CertificateKeyEncryptor"/>). The Azure SDK's own repository
/// (Azure.Extensions.AspNetCore.DataProtection.Blobs) is not available to this build; this is the part of it we need.
/// </summary>
public sealed class BlobKeyRepository(BlobContainerClient container) : IXmlRepository
{
    private const string Prefix = "key-ring/";

    private volatile bool _containerExists;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        EnsureContainer();
        var elements = new List<XElement>();
        foreach (var blob in container.GetBlobs(BlobTraits.None, BlobStates.None, Prefix, CancellationToken.None))
        {
            var content = container.GetBlobClient(blob.Name).DownloadContent().Value.Content;
            elements.Add(XElement.Parse(content.ToString()));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        EnsureContainer();
        var content = BinaryData.FromString(element.ToString(SaveOptions.DisableFormatting));
        var upload = new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
        try
        {
            container.GetBlobClient($"{Prefix}{friendlyName}.xml").Upload(content, upload);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // The friendly name is not unique for every kind of element: keep both.
            container.GetBlobClient($"{Prefix}{friendlyName}-{Guid.NewGuid():N}.xml").Upload(content, upload);
        }
    }

    private void EnsureContainer()
    {
        if (!_containerExists)
        {
            container.CreateIfNotExists();
            _containerExists = true;
        }
    }
}
