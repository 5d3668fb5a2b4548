using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Containers.Leases;
using FlowActors.Grains.Interfaces.Containers;

namespace FlowActors.Tests.Leases;

/// <summary>
/// Which containers the reaper removes (<see cref="ReapRules"/>), judged against a fake membership snapshot: only what
/// its own cluster provably abandoned. The Docker reaper tests run the same rules over real containers.
/// </summary>
[TestClass]
public sealed class ReaperRulesTests
{
    private const string Self = "127.0.0.1:11111@300";
    private const string Peer = "127.0.0.1:11112@200";
    private static readonly ContainerOwner Owner = new("dev", Self);
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private readonly ContainerLeases _leases = new();

    [TestMethod]
    public void OwnContainer_WithALiveLease_IsKept()
    {
        var labels = Labels(Self, "lease-1");
        _leases.Record(Lease("lease-1", Now + TimeSpan.FromSeconds(30)));

        Assert.AreEqual(ReapAction.Keep, Judge(labels, (Self, SiloStatus.Active)).Action);
    }

    [TestMethod]
    public void OwnContainer_WhoseLeaseExpired_IsReaped()
    {
        _leases.Record(Lease("lease-1", Now - TimeSpan.FromSeconds(1)));

        var verdict = Judge(Labels(Self, "lease-1"), (Self, SiloStatus.Active));

        Assert.AreEqual(ReapAction.Reap, verdict.Action);
        Assert.Contains("lease lease-1 expired", verdict.Reason);
    }

    [TestMethod]
    public void OwnContainer_WhoseLeaseThisSiloDoesNotKnow_IsKept()
    {
        // Between a container's creation and the lease's record, or after a stop ended the lease: the runtime is at work.
        Assert.AreEqual(ReapAction.Keep, Judge(Labels(Self, "unknown-lease"), (Self, SiloStatus.Active)).Action);
    }

    [TestMethod]
    public void OwnContainer_ThisSiloNotYetInItsOwnMembership_IsStillJudgedByItsLease()
    {
        _leases.Record(Lease("lease-1", Now + TimeSpan.FromSeconds(30)));

        Assert.AreEqual(ReapAction.Keep, Judge(Labels(Self, "lease-1")).Action);
    }

    [TestMethod]
    public void ContainerOfALiveMember_IsKept_WhateverItsLease()
    {
        foreach (var status in new[] { SiloStatus.Created, SiloStatus.Joining, SiloStatus.Active, SiloStatus.ShuttingDown, SiloStatus.Stopping })
        {
            Assert.AreEqual(ReapAction.Keep, Judge(Labels(Peer, "theirs"), (Self, SiloStatus.Active), (Peer, status)).Action, status.ToString());
        }
    }

    [TestMethod]
    public void ContainerOfADeadMember_IsReaped()
    {
        var verdict = Judge(Labels(Peer, "theirs"), (Self, SiloStatus.Active), (Peer, SiloStatus.Dead));

        Assert.AreEqual(ReapAction.Reap, verdict.Action);
        Assert.Contains($"{Peer} is dead", verdict.Reason);
    }

    [TestMethod]
    public void ContainerOfThisSilosPredecessorOnTheSameEndpoint_IsReaped()
    {
        // The silo was killed and restarted on its endpoint: a single-silo cluster's membership starts afresh and does
        // not know the old generation, but the endpoint can only be held by one process at a time.
        var verdict = Judge(Labels("127.0.0.1:11111@100", "old"), (Self, SiloStatus.Active));

        Assert.AreEqual(ReapAction.Reap, verdict.Action);
        Assert.Contains($"restarted as {Self}", verdict.Reason);
    }

    [TestMethod]
    public void ContainerOfAPeersPredecessor_IsReaped()
    {
        Assert.AreEqual(ReapAction.Reap, Judge(Labels("127.0.0.1:11112@100", "old"), (Self, SiloStatus.Active), (Peer, SiloStatus.Active)).Action);
    }

    [TestMethod]
    public void ContainerOfANewerGenerationOnThisEndpoint_IsNotReaped()
    {
        // Newer than any member: a successor this membership has not seen yet, never a predecessor.
        Assert.AreEqual(ReapAction.Unknown, Judge(Labels("127.0.0.1:11111@900", "new"), (Self, SiloStatus.Active)).Action);
    }

    [TestMethod]
    public void ContainerOfASiloTheMembershipDoesNotKnow_IsLeftAlone()
    {
        // Another single-silo cluster with the same id on the same engine, or a silo that joined a moment ago.
        var verdict = Judge(Labels("127.0.0.1:21111@500", "theirs"), (Self, SiloStatus.Active));

        Assert.AreEqual(ReapAction.Unknown, verdict.Action);
        Assert.Contains("not in this cluster's membership", verdict.Reason);
    }

    [TestMethod]
    public void ContainerWithoutAParsableOwner_IsLeftAlone()
    {
        foreach (var silo in new[] { "", "dev", "silo-1", "127.0.0.1:11111" })
        {
            var verdict = Judge(Labels(silo, "lease"), (Self, SiloStatus.Active));
            Assert.AreEqual(ReapAction.Unknown, verdict.Action, silo);
            Assert.Contains("is not a silo address", verdict.Reason);
        }

        var unlabelled = new Dictionary<string, string> { [ContainerLabels.Cluster] = "dev" };
        Assert.AreEqual(ReapAction.Unknown, ReapRules.Judge(unlabelled, Owner, FakeMembership.Snapshot((Self, SiloStatus.Active)), _leases, Now).Action);
    }

    private ReapVerdict Judge(IReadOnlyDictionary<string, string> labels, params (string Silo, SiloStatus Status)[] members) =>
        ReapRules.Judge(labels, Owner, FakeMembership.Snapshot(members), _leases, Now);

    private static Dictionary<string, string> Labels(string silo, string lease) => ContainerLabels.Create(
        new ContainerOwner("dev", silo),
        new ContainerRequest("orders", "enrich", new ComponentRevision("crm", 1, new ComponentLaunch(null, "crm", [], new Dictionary<string, string>()), new ComponentDescriptor([], []), Now), null, "orders/enrich@x", TimeSpan.FromMinutes(1)),
        lease);

    private static ContainerLease Lease(string id, DateTimeOffset expiresAt) =>
        new(id, "container", "orders/enrich@x", new Uri("http://127.0.0.1:1/"), Now - TimeSpan.FromMinutes(1), expiresAt);
}
