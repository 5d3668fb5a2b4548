using FlowActors.Streaming;

namespace FlowActors.Tests.Streaming;

[TestClass]
public sealed class FastStreamsOptionsTests
{
    [TestMethod]
    public void FastStreamsOptions_DefaultsAreValid() =>
        new FastStreamsOptionsValidator(new FastStreamsOptions(), "flows").ValidateConfiguration();

    [TestMethod]
    public void FastStreamsOptions_RejectAMaxWaitNearTheGrainCallTimeout_NamingTheOptionAndProvider()
    {
        var validator = new FastStreamsOptionsValidator(new FastStreamsOptions { MaxWait = TimeSpan.FromSeconds(30) }, "flows");

        var error = Assert.ThrowsExactly<OrleansConfigurationException>(validator.ValidateConfiguration);

        Assert.Contains("MaxWait", error.Message);
        Assert.Contains("'flows'", error.Message);
    }
}
