using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace FlowActors.Silo.Secrets;

/// <summary>
/// Protects the keys of the Data Protection key ring with a certificate, so that the key ring can sit in shared blob
/// storage: only a holder of the certificate's private key (a silo of the cluster) opens it. Data Protection's own
/// certificate encryptor (XML Encryption) takes RSA keys only, and the cluster's certificates are ECDSA P-256 unless an
/// operator brings RSA ones; this one takes both:
/// <list type="bullet">
/// <item>EC: ECDH with a fresh ephemeral key on the certificate's curve (ECIES), SHA-256 of the shared secret as the AES key;</item>
/// <item>RSA: a random AES key, wrapped with RSA-OAEP-SHA256;</item>
/// </list>
/// then AES-256-GCM over the key's XML, bound to the certificate's SHA-256 thumbprint. See docs/decisions.md.
/// </summary>
public sealed class CertificateKeyEncryptor(X509Certificate2 certificate) : IXmlEncryptor
{
    internal const string ElementName = "flowActorsEncryptedKey";
    internal const string EcdhMethod = "ecdh-es-sha256+aes256gcm";
    internal const string RsaMethod = "rsa-oaep-sha256+aes256gcm";

    internal static readonly byte[] KeyDerivationLabel = Encoding.ASCII.GetBytes("FlowActors key ring v1");

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var thumbprint = KeyRingCertificates.Thumbprint(certificate);
        byte[] contentKey;
        string method;
        byte[] key;
        if (certificate.GetECDsaPublicKey() is { } ec)
        {
            using (ec)
            {
                using var recipient = ECDiffieHellman.Create(ec.ExportParameters(includePrivateParameters: false));
                using var ephemeral = ECDiffieHellman.Create(recipient.ExportParameters(includePrivateParameters: false).Curve);
                contentKey = ephemeral.DeriveKeyFromHash(recipient.PublicKey, HashAlgorithmName.SHA256, KeyDerivationLabel, null);
                method = EcdhMethod;
                key = ephemeral.ExportSubjectPublicKeyInfo();
            }
        }
        else if (certificate.GetRSAPublicKey() is { } rsa)
        {
            using (rsa)
            {
                contentKey = RandomNumberGenerator.GetBytes(32);
                method = RsaMethod;
                key = rsa.Encrypt(contentKey, RSAEncryptionPadding.OaepSHA256);
            }
        }
        else
        {
            throw new NotSupportedException($"The key ring certificate {certificate.Subject} has neither an EC nor an RSA key.");
        }

        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(contentKey, tag.Length))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, Encoding.ASCII.GetBytes(thumbprint));
        }

        CryptographicOperations.ZeroMemory(contentKey);
        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement(ElementName,
            new XAttribute("certificate", thumbprint),
            new XAttribute("method", method),
            new XElement("key", Convert.ToBase64String(key)),
            new XElement("nonce", Convert.ToBase64String(nonce)),
            new XElement("tag", Convert.ToBase64String(tag)),
            new XElement("ciphertext", Convert.ToBase64String(ciphertext)));
        return new EncryptedXmlInfo(element, typeof(CertificateKeyDecryptor));
    }
}

/// <summary>
/// Opens what <see cref="CertificateKeyEncryptor"/> protected, with whichever of the silo's key ring certificates
/// (<see cref="KeyRingCertificates"/>) has the thumbprint it names. Made by Data Protection from the type named in
/// the stored key, with the silo's services.
/// </summary>
public sealed class CertificateKeyDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var certificates = services.GetRequiredService<KeyRingCertificates>();
        var thumbprint = (string?)encryptedElement.Attribute("certificate") ?? "";
        var certificate = certificates.Opening.FirstOrDefault(c => KeyRingCertificates.Thumbprint(c) == thumbprint)
            ?? throw new InvalidOperationException(
                $"A key of the key ring was protected with the certificate whose SHA-256 thumbprint is {thumbprint}, and this silo has no such " +
                $"certificate ({certificates.Describe()}). Every silo of a cluster must hold the certificate that protects the key ring: " +
                $"configure {SecretsOptions.Section}:KeyRingCertificatePath with it (docs/security.md, \"Secrets at rest\").");
        var key = Convert.FromBase64String((string)encryptedElement.Element("key")!);
        byte[] contentKey;
        switch ((string?)encryptedElement.Attribute("method"))
        {
            case CertificateKeyEncryptor.EcdhMethod:
                using (var ecdsa = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException($"The certificate {thumbprint} has no EC private key."))
                using (var mine = ECDiffieHellman.Create(ecdsa.ExportParameters(includePrivateParameters: true)))
                using (var ephemeral = ECDiffieHellman.Create())
                {
                    ephemeral.ImportSubjectPublicKeyInfo(key, out _);
                    contentKey = mine.DeriveKeyFromHash(ephemeral.PublicKey, HashAlgorithmName.SHA256, CertificateKeyEncryptor.KeyDerivationLabel, null);
                }

                break;
            case CertificateKeyEncryptor.RsaMethod:
                using (var rsa = certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException($"The certificate {thumbprint} has no RSA private key."))
                {
                    contentKey = rsa.Decrypt(key, RSAEncryptionPadding.OaepSHA256);
                }

                break;
            default:
                throw new InvalidOperationException($"A key of the key ring is protected by an unknown method '{(string?)encryptedElement.Attribute("method")}'.");
        }

        var nonce = Convert.FromBase64String((string)encryptedElement.Element("nonce")!);
        var tag = Convert.FromBase64String((string)encryptedElement.Element("tag")!);
        var ciphertext = Convert.FromBase64String((string)encryptedElement.Element("ciphertext")!);
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(contentKey, tag.Length))
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext, Encoding.ASCII.GetBytes(thumbprint));
        }

        CryptographicOperations.ZeroMemory(contentKey);
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
