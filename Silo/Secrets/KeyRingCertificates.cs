using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Secrets;

/// <summary>
/// The certificate new key ring keys are protected with (<see cref="Protecting"/>), and every certificate this silo can
/// open keys with (<see cref="Opening"/>: the configured key ring certificate and the silo's own, so that a cluster can
/// move from one to the other).
/// </summary>
public sealed record KeyRingCertificates(X509Certificate2 Protecting, IReadOnlyList<X509Certificate2> Opening)
{
    /// <summary>The configured key ring certificate, else the silo's; refuses one that cannot protect keys, naming the setting.</summary>
    public static KeyRingCertificates From(IConfiguration configuration, X509Certificate2 siloCertificate, string contentRoot)
    {
        var options = configuration.GetSection(SecretsOptions.Section).Get<SecretsOptions>() ?? new SecretsOptions();
        const string setting = SecretsOptions.Section + ":KeyRingCertificatePath";
        if (string.IsNullOrWhiteSpace(options.KeyRingCertificatePath))
        {
            return new KeyRingCertificates(siloCertificate, [siloCertificate]);
        }

        var path = Path.GetFullPath(options.KeyRingCertificatePath, contentRoot);
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, options.KeyRingCertificatePassword).FirstOrDefault(c => c.HasPrivateKey)
                ?? throw new OptionsValidationException(setting, typeof(SecretsOptions), [$"{setting}: '{path}' holds no certificate with its private key."]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new OptionsValidationException(setting, typeof(SecretsOptions), [$"{setting}: '{path}' cannot be read as a PKCS#12 file ({e.Message}); check the path and {SecretsOptions.Section}:KeyRingCertificatePassword."]);
        }

        if (certificate.GetECDsaPublicKey() is null && certificate.GetRSAPublicKey() is null)
        {
            throw new OptionsValidationException(setting, typeof(SecretsOptions), [$"{setting}: the certificate {certificate.Subject} has neither an EC nor an RSA key."]);
        }

        return new KeyRingCertificates(certificate, [certificate, siloCertificate]);
    }

    /// <summary>How stored keys name the certificate that protects them: its SHA-256 thumbprint.</summary>
    public static string Thumbprint(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>For error messages: the thumbprints this silo holds.</summary>
    public string Describe() => "it holds " + string.Join(", ", Opening.Select(Thumbprint).Distinct());
}
