using FlowActors.Client.Hosting;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Hosting.Azure;

/// <summary>
/// The storage account of the Azure profile. Bound from <c>FlowActors:Azure</c>. Either a connection string (an
/// account key, or <c>UseDevelopmentStorage=true</c> for Azurite), or the three service URIs, reached with
/// <c>DefaultAzureCredential</c> (a managed identity on Azure, the developer's login elsewhere).
/// </summary>
public sealed class AzureStorageProfileOptions
{
    public const string Section = "FlowActors:Azure";

    public string? ConnectionString { get; set; }

    /// <summary>e.g. <c>https://ACCOUNT.table.core.windows.net/</c>; with the two others, instead of a connection string.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>e.g. <c>https://ACCOUNT.blob.core.windows.net/</c>.</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary>e.g. <c>https://ACCOUNT.queue.core.windows.net/</c>.</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>With service URIs: the client id of a user-assigned managed identity (empty: the system-assigned one, or any credential DefaultAzureCredential finds).</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Names every table, container and queue of this deployment (<see cref="AzureResourceNames"/>).</summary>
    public string ResourcePrefix { get; set; } = AzureResourceNames.DefaultPrefix;

    /// <summary>How many Azure queues carry the durable stream provider; fixed for the deployment's life (streams map to queues by hash).</summary>
    public int QueueCount { get; set; } = 8;

    public bool UsesConnectionString => !string.IsNullOrWhiteSpace(ConnectionString);

    public AzureResourceNames Names => new(ResourcePrefix);

    /// <summary>Reads the options and refuses what the silo could not start with, naming the setting and the fix.</summary>
    public static AzureStorageProfileOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<AzureStorageProfileOptions>() ?? new AzureStorageProfileOptions();
        var errors = Validate(options);
        return errors.Count == 0 ? options : throw new OptionsValidationException(Section, typeof(AzureStorageProfileOptions), errors);
    }

    private static List<string> Validate(AzureStorageProfileOptions o)
    {
        const string s = Section;
        var errors = new List<string>();
        Uri?[] uris = [o.TableServiceUri, o.BlobServiceUri, o.QueueServiceUri];
        if (o.UsesConnectionString && uris.Any(u => u is not null))
        {
            errors.Add($"{s}:ConnectionString and {s}:*ServiceUri are both set; use a connection string, or the three service URIs with a managed identity, not both.");
        }
        else if (!o.UsesConnectionString && uris.Any(u => u is null))
        {
            errors.Add($"The Azure profile needs a storage account: set {s}:ConnectionString (UseDevelopmentStorage=true for Azurite), " +
                $"or all of {s}:TableServiceUri, {s}:BlobServiceUri and {s}:QueueServiceUri (reached with DefaultAzureCredential).");
        }

        foreach (var (name, uri) in new[] { ("TableServiceUri", o.TableServiceUri), ("BlobServiceUri", o.BlobServiceUri), ("QueueServiceUri", o.QueueServiceUri) })
        {
            if (uri is not null && (!uri.IsAbsoluteUri || uri.Scheme is not ("https" or "http")))
            {
                errors.Add($"{s}:{name} is '{uri}'; set an absolute https URI such as https://ACCOUNT.{name[..^"ServiceUri".Length].ToLowerInvariant()}.core.windows.net/.");
            }
        }

        if (!AzureResourceNames.IsValidPrefix(o.ResourcePrefix))
        {
            errors.Add($"{s}:ResourcePrefix is '{o.ResourcePrefix}'; set 3-24 lowercase letters or digits starting with a letter (it names tables, a container and queues).");
        }

        if (o.QueueCount is < 1 or > 64)
        {
            errors.Add($"{s}:QueueCount is {o.QueueCount}; set between 1 and 64 (8 by default).");
        }

        return errors;
    }
}
