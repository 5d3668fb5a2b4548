using Azure.Storage.Blobs;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace FlowActors.Silo.Secrets;

/// <summary>
/// Where each hosting profile keeps the Data Protection key ring that seals stored secrets
/// (<see cref="Grains.Secrets.SecretSealer"/>). Every silo of a cluster reads the same one.
/// </summary>
public static class KeyRingHostingExtensions
{
    /// <summary>The key ring's folder in the embedded profile, beside the database.</summary>
    public const string FolderName = "keys";

    /// <summary>
    /// The key ring in <paramref name="folder"/> (resolved when the silo starts), made owner-only like the rest of the
    /// data folder. Keys are stored as Data Protection writes them: the folder's mode is their protection, as for the
    /// admin key and the cluster's certificates beside them.
    /// </summary>
    public static IServiceCollection AddKeyRingFolder(this IServiceCollection services, Func<IServiceProvider, string> folder)
    {
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, provider) =>
        {
            var path = folder(provider);
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            options.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(path), provider.GetRequiredService<ILoggerFactory>());

            // Said explicitly: the folder's mode protects these keys, exactly as it protects the admin key and the
            // certificates' private keys beside it (encrypting them with a key kept in the same folder would add nothing).
            options.XmlEncryptor = new NullXmlEncryptor(provider);
        });

        // Data Protection warns at every new key that this is so; it is the documented design, not news for the log.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter(typeof(NullXmlEncryptor).FullName, LogLevel.Error));
        return services;
    }

    /// <summary>
    /// The key ring in <paramref name="container"/>, each key encrypted with the key ring certificate
    /// (<see cref="KeyRingCertificates"/>, which the host registers once it has loaded the silo's certificate).
    /// </summary>
    public static IServiceCollection AddKeyRingBlobs(this IServiceCollection services, BlobContainerClient container)
    {
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, provider) =>
        {
            options.XmlRepository = new BlobKeyRepository(container);
            options.XmlEncryptor = new CertificateKeyEncryptor(provider.GetRequiredService<KeyRingCertificates>().Protecting);
        });
        return services;
    }
}
