using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using FlowActors.Silo.Secrets;
using Microsoft.Extensions.DependencyInjection;

namespace FlowActors.Tests.Secrets;

/// <summary>The Azure profile's key ring keys, encrypted with the cluster's certificate: EC (the generated ones) and RSA.</summary>
[TestClass]
public sealed class KeyRingEncryptionTests
{
    private static readonly XElement Key = XElement.Parse("""<key id="k1"><masterKey>c2VjcmV0LW1hc3Rlci1rZXktbWF0ZXJpYWw=</masterKey></key>""");

    [TestMethod]
    [DataRow("ec")]
    [DataRow("rsa")]
    public void AKey_EncryptedWithTheCertificate_OpensWithIt_AndShowsNothingOfItself(string kind)
    {
        using var certificate = Certificate(kind);
        var encrypted = new CertificateKeyEncryptor(certificate).Encrypt(Key);

        var stored = encrypted.EncryptedElement.ToString();
        Assert.IsFalse(stored.Contains("c2VjcmV0LW1hc3Rlci1rZXktbWF0ZXJpYWw=", StringComparison.Ordinal), stored);
        Assert.AreEqual(typeof(CertificateKeyDecryptor), encrypted.DecryptorType);
        var opened = Decryptor(certificate).Decrypt(encrypted.EncryptedElement);
        Assert.AreEqual(Key.ToString(), opened.ToString());
    }

    [TestMethod]
    public void AKey_EncryptedWithAnotherCertificate_IsRefused_NamingItsThumbprintAndTheSetting()
    {
        using var theirs = Certificate("ec");
        using var ours = Certificate("ec");
        var encrypted = new CertificateKeyEncryptor(theirs).Encrypt(Key);

        var refused = Assert.ThrowsExactly<InvalidOperationException>(() => Decryptor(ours).Decrypt(encrypted.EncryptedElement));
        StringAssert.Contains(refused.Message, KeyRingCertificates.Thumbprint(theirs));
        StringAssert.Contains(refused.Message, "FlowActors:Secrets:KeyRingCertificatePath");
    }

    [TestMethod]
    public void ATamperedKey_DoesNotOpen()
    {
        using var certificate = Certificate("ec");
        var encrypted = new CertificateKeyEncryptor(certificate).Encrypt(Key).EncryptedElement;
        var ciphertext = Convert.FromBase64String((string)encrypted.Element("ciphertext")!);
        ciphertext[0] ^= 1;
        encrypted.Element("ciphertext")!.Value = Convert.ToBase64String(ciphertext);

        Assert.ThrowsExactly<AuthenticationTagMismatchException>(() => Decryptor(certificate).Decrypt(encrypted));
    }

    private static CertificateKeyDecryptor Decryptor(X509Certificate2 certificate) =>
        new(new ServiceCollection().AddSingleton(new KeyRingCertificates(certificate, [certificate])).BuildServiceProvider());

    private static X509Certificate2 Certificate(string kind)
    {
        var now = DateTimeOffset.UtcNow;
        if (kind == "rsa")
        {
            using var rsa = RSA.Create(2048);
            return new CertificateRequest("CN=key ring test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(now.AddMinutes(-1), now.AddDays(1));
        }

        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=key ring test", ec, HashAlgorithmName.SHA256).CreateSelfSigned(now.AddMinutes(-1), now.AddDays(1));
    }
}
