using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Containers.Docker;
using FlowActors.Containers.Leases;

namespace FlowActors.Tests.Docker;

/// <summary>What the silo asks the engine for; <see cref="DockerContainerRuntimeTests"/> checks the engine applies it.</summary>
[TestClass]
public sealed class DockerContainerSpecTests
{
    private static readonly ContainerRequest Request = new(
        "orders", "enrich",
        new ComponentRevision("enrich", 3, new ComponentLaunch("flowactors/enrich:1", null, [], new Dictionary<string, string>()),
            new ComponentDescriptor([], ["enrich"]), DateTimeOffset.UnixEpoch),
        null, "holder", TimeSpan.FromMinutes(1));

    private static readonly ContainerOwner Owner = new("dev", "127.0.0.1:11111@1");

    [TestMethod]
    public void IsolatedContainer_GetsNoNetworkButItsOwn_ByDefault()
    {
        var spec = DockerContainerSpec.Create(Request, "flowactors/enrich:1", new DockerRuntimeOptions(), Owner, "lease-1", 40000);

        Assert.AreEqual("none", spec.HostConfig.NetworkMode);
        CollectionAssert.AreEqual(new[] { "ALL" }, spec.HostConfig.CapDrop.ToArray());
        CollectionAssert.Contains(spec.HostConfig.SecurityOpt.ToList(), "no-new-privileges");
        Assert.AreEqual(256L * 1024 * 1024, spec.HostConfig.Memory);
    }

    [TestMethod]
    public void IsolatedContainer_JoinsTheOperatorsEgressNetwork_WhenOneIsNamed()
    {
        var options = new DockerRuntimeOptions { Network = "flowactors-egress" };

        var spec = DockerContainerSpec.Create(Request, "flowactors/enrich:1", options, Owner, "lease-1", 40000);

        Assert.AreEqual("flowactors-egress", spec.HostConfig.NetworkMode);
    }

    [TestMethod]
    public void ContainerWithoutIsolation_SharesTheHostsNetwork_WhateverNetworkIsNamed()
    {
        var options = new DockerRuntimeOptions { Network = "flowactors-egress" };

        var spec = DockerContainerSpec.Create(Request, "flowactors/enrich:1", options, Owner, "lease-1", 40000, ownNetwork: false);

        Assert.AreEqual("host", spec.HostConfig.NetworkMode);
    }

    [TestMethod]
    [DataRow("host")]
    [DataRow("bridge")]
    [DataRow("default")]
    [DataRow("")]
    public void EgressNetwork_ThatWouldReachTheSiloOrTheDefaultBridge_IsRefusedNamingTheSetting(string network)
    {
        var result = new DockerRuntimeOptionsValidator().Validate(null, new DockerRuntimeOptions { Network = network });

        Assert.IsTrue(result.Failed);
        StringAssert.Contains(result.FailureMessage, $"{DockerRuntimeOptions.SectionName}:Network");
    }

    [TestMethod]
    public void EgressNetwork_ThatTheOperatorDefined_IsAccepted() =>
        Assert.IsFalse(new DockerRuntimeOptionsValidator().Validate(null, new DockerRuntimeOptions { Network = "flowactors-egress" }).Failed);
}
