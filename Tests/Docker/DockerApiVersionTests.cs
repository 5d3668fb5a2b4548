using FlowActors.Containers.Docker;

namespace FlowActors.Tests.Docker;

[TestClass]
public sealed class DockerApiVersionTests
{
    [TestMethod]
    public void OlderEngine_IsSpokenToInItsOwnVersion() =>
        Assert.AreEqual(new Version(1, 41), DockerApiVersion.Negotiate(new Version(1, 45), new Version(1, 41), new Version(1, 12)));

    [TestMethod]
    public void NewerEngine_IsSpokenToInTheClientsNewestVersion() =>
        Assert.AreEqual(new Version(1, 41), DockerApiVersion.Negotiate(new Version(1, 41), new Version(1, 43), new Version(1, 12)));

    [TestMethod]
    public void EngineRefusingOldVersions_IsSpokenToInItsMinimum() =>
        Assert.AreEqual(new Version(1, 44), DockerApiVersion.Negotiate(new Version(1, 41), new Version(1, 51), new Version(1, 44)));
}
