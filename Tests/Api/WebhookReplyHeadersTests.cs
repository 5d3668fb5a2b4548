using FlowActors.Grains.Webhooks;

namespace FlowActors.Tests.Api;

/// <summary>The rules a flow's HTTP reply meets before it reaches a webhook's caller, without a cluster.</summary>
[TestClass]
public sealed class WebhookReplyHeadersTests
{
    [TestMethod]
    [DataRow("X-Accel-Redirect")]
    [DataRow("X-Accel-Buffering")]
    [DataRow("x-sendfile")]
    [DataRow("X-Sendfile-Type")]
    [DataRow("X-Lighttpd-Send-File")]
    [DataRow("X-LiteSpeed-Location")]
    [DataRow("Strict-Transport-Security")]
    [DataRow("Clear-Site-Data")]
    [DataRow("Transfer-Encoding")]
    public void ProxySwitchesAndServerHeaders_NeverPass_EvenWhenAllowedByName(string name)
    {
        Assert.IsFalse(WebhookReplyHeaders.Passes(name, [name]));
        StringAssert.Contains(WebhookReplyHeaders.ProblemWithAllowed([name]), "only the server sets");
    }

    [TestMethod]
    [DataRow("X-Order-Id")]
    [DataRow("X-Powered-By")]
    [DataRow("Location")]
    [DataRow("Set-Cookie")]
    public void OtherHeaders_PassOnlyWhenTheWebhookNamesThem(string name)
    {
        Assert.IsFalse(WebhookReplyHeaders.Passes(name, []));
        Assert.IsTrue(WebhookReplyHeaders.Passes(name, [name.ToUpperInvariant()]));
        Assert.IsNull(WebhookReplyHeaders.ProblemWithAllowed([name]));
    }

    [TestMethod]
    [DataRow("Content-Type")]
    [DataRow("Cache-Control")]
    [DataRow("X-Request-Id")]
    public void ContentCachingAndCorrelationHeaders_PassByDefault(string name) => Assert.IsTrue(WebhookReplyHeaders.Passes(name, []));

    [TestMethod]
    public void Headers_OverTheTotalSize_AreRefused_EachValueWithinItsOwnLimit()
    {
        var fifty = Enumerable.Range(0, 50).ToDictionary(i => $"X-Part-{i}", _ => new string('a', 4000));

        StringAssert.Contains(HttpReplyRules.Problem(200, fifty), $"at most {HttpReplyRules.MaxTotalBytes} are allowed in all");

        // Right at the limit, counted as on the wire: "name: value" and a line break.
        var fits = new Dictionary<string, string>
        {
            ["X-A"] = new string('a', 8000), ["X-B"] = new string('b', 8000), ["X-C"] = new string('c', HttpReplyRules.MaxTotalBytes - (2 * 8007) - 7),
        };
        Assert.IsNull(HttpReplyRules.Problem(200, fits));
        fits["X-C"] += "c";
        Assert.IsNotNull(HttpReplyRules.Problem(200, fits));
    }
}
