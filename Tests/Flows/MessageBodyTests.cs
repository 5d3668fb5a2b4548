using FlowActors.Grains.Flows;

namespace FlowActors.Tests.Flows;

/// <summary>A message body must be exactly one JSON document; the error says what is wrong and where.</summary>
[TestClass]
public sealed class MessageBodyTests
{
    [TestMethod]
    [DataRow("""{"name":"ada"}""")]
    [DataRow("[1,2,3]")]
    [DataRow("42")]
    public void OneJsonDocument_IsAccepted(string body) => MessageBody.ThrowIfNotJson(body);

    [TestMethod]
    [DataRow("", "position 1")]
    [DataRow("""{"name":""", "line 1, position 9")]
    [DataRow("{} {}", "position 4")]
    public void AnythingElse_IsRefusedNamingTheProblem(string body, string expected)
    {
        var refused = Assert.ThrowsExactly<ArgumentException>(() => MessageBody.ThrowIfNotJson(body));
        Assert.AreEqual("body", refused.ParamName);
        StringAssert.Contains(refused.Message, expected);
    }
}
