using System.Text;
using FlowActors.Grains.Webhooks;

namespace FlowActors.Tests.Api;

/// <summary>Checking a webhook's secret or request signature, without a cluster.</summary>
[TestClass]
public sealed class WebhookCredentialsTests
{
    private const long Timestamp = 1_780_000_000;
    private const string Target = "/hooks/orders/new?src=shop";

    private static readonly string Secret = WebhookCredentials.NewSecret();
    private static readonly byte[] Key = Encoding.UTF8.GetBytes(Secret);
    private static readonly byte[] Body = """{"a":1}"""u8.ToArray();

    [TestMethod]
    public void Secret_MatchesOnlyItself()
    {
        Assert.IsTrue(WebhookCredentials.SecretMatches(Key, Secret));
        Assert.IsFalse(WebhookCredentials.SecretMatches(Key, Secret + "x"));
        Assert.IsFalse(WebhookCredentials.SecretMatches(Key, Secret[..^1]));
        Assert.IsFalse(WebhookCredentials.SecretMatches(Key, ""));
        Assert.IsFalse(WebhookCredentials.SecretMatches(Key, null));
    }

    [TestMethod]
    public void Signature_CoversTimestampMethodPathQueryAndBody()
    {
        var signature = WebhookCredentials.ParseSignature(WebhookCredentials.Sign(Secret, Timestamp, "POST", Target, Body))!;

        Assert.IsTrue(WebhookCredentials.SignatureMatches(Key, signature, Timestamp, "POST", Target, Body));
        Assert.IsFalse(WebhookCredentials.SignatureMatches(Key, signature, Timestamp + 1, "POST", Target, Body), "another time");
        Assert.IsFalse(WebhookCredentials.SignatureMatches(Key, signature, Timestamp, "PUT", Target, Body), "another method");
        Assert.IsFalse(WebhookCredentials.SignatureMatches(Key, signature, Timestamp, "POST", "/hooks/orders/other?src=shop", Body), "another path");
        Assert.IsFalse(WebhookCredentials.SignatureMatches(Key, signature, Timestamp, "POST", "/hooks/orders/new?src=evil", Body), "another query");
        Assert.IsFalse(WebhookCredentials.SignatureMatches(Key, signature, Timestamp, "POST", Target, "{}"u8), "another body");
        Assert.IsFalse(WebhookCredentials.SignatureMatches(Encoding.UTF8.GetBytes(WebhookCredentials.NewSecret()), signature, Timestamp, "POST", Target, Body), "another secret");
    }

    [TestMethod]
    public void Signature_IsWhatOpensslComputes_FromTheDocumentedString()
    {
        // docs/api.md: printf '%s\n%s\n%s\n%s' "$TS" POST "$TARGET" "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
        var text = $"{Timestamp}\nPOST\n{Target}\n" + Encoding.UTF8.GetString(Body);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(text)));

        Assert.AreEqual("sha256=" + expected, WebhookCredentials.Sign(Secret, Timestamp, "POST", Target, Body));
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow("")]
    [DataRow("sha256=zz")]
    [DataRow("md5=00112233445566778899aabbccddeeff")]
    [DataRow("0000000000000000000000000000000000000000000000000000000000000000")]
    [DataRow("sha256=000000000000000000000000000000000000000000000000000000000000000g")]
    public void MalformedSignatures_AreNotSignatures(string? header) => Assert.IsNull(WebhookCredentials.ParseSignature(header));

    [TestMethod]
    public void Timestamps_AreUnixSeconds_WithinTheTolerance()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(Timestamp);
        var tolerance = TimeSpan.FromMinutes(5);

        Assert.AreEqual(Timestamp, WebhookCredentials.ParseTimestamp(Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var bad in new[] { null, "", "-5", "1e9", " 17", "17.5", "99999999999999999999" })
        {
            Assert.IsNull(WebhookCredentials.ParseTimestamp(bad), bad);
        }

        Assert.IsTrue(WebhookCredentials.IsFresh(Timestamp - 300, now, tolerance));
        Assert.IsTrue(WebhookCredentials.IsFresh(Timestamp + 300, now, tolerance));
        Assert.IsFalse(WebhookCredentials.IsFresh(Timestamp - 301, now, tolerance));
        Assert.IsFalse(WebhookCredentials.IsFresh(Timestamp + 301, now, tolerance));
    }
}
