using System.Text;
using FlowActors.Grains.Interfaces.Webhooks;
using FlowActors.Grains.Webhooks;

namespace FlowActors.Tests.Api;

/// <summary>Checking a webhook's secret or signature, without a cluster.</summary>
[TestClass]
public sealed class WebhookCredentialsTests
{
    private static readonly string Secret = WebhookCredentials.NewSecret();
    private static readonly byte[] Key = Encoding.UTF8.GetBytes(Secret);
    private static readonly byte[] Body = """{"a":1}"""u8.ToArray();

    [TestMethod]
    public void Check_AcceptsTheSecret_OrASignatureOfTheBody()
    {
        Assert.AreEqual(WebhookCheck.Allowed, WebhookCredentials.Check(Key, Secret, null, Body));
        Assert.AreEqual(WebhookCheck.Allowed, WebhookCredentials.Check(Key, null, WebhookCredentials.Sign(Secret, Body), Body));
        Assert.AreEqual(WebhookCheck.Allowed, WebhookCredentials.Check(Key, null, WebhookCredentials.Sign(Secret, Body)["sha256=".Length..].ToUpperInvariant(), Body));
    }

    [TestMethod]
    public void Check_RefusesWrongSecrets_SignaturesOfOtherBodies_AndGarbage()
    {
        Assert.AreEqual(WebhookCheck.Denied, WebhookCredentials.Check(Key, Secret + "x", null, Body));
        Assert.AreEqual(WebhookCheck.Denied, WebhookCredentials.Check(Key, null, WebhookCredentials.Sign(Secret, "{}"u8), Body));
        Assert.AreEqual(WebhookCheck.Denied, WebhookCredentials.Check(Key, null, "sha256=zz", Body));
        Assert.AreEqual(WebhookCheck.Denied, WebhookCredentials.Check(Key, null, new string('a', 10_000), Body));
        Assert.AreEqual(WebhookCheck.Denied, WebhookCredentials.Check(Key, "", "", Body));
        Assert.AreEqual(WebhookCheck.NotConfigured, WebhookCredentials.Check(null, Secret, null, Body));
    }
}
