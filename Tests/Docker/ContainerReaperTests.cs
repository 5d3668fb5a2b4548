using System.Collections.Immutable;
using FlowActors.Containers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace FlowActors.Tests.Docker;

[TestClass]
[TestCategory("Docker")]
public sealed class ContainerReaperTests
{
    private const string DeadSilo = "127.0.0.1:11112@99";

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static Task ClassInitialize(TestContext context) => DockerTestEngine.EnsureReadyAsync();

    [TestMethod]
    public async Task ContainersOfASiloMissingFromMembership_AreRemoved_WhileALiveSilosStay()
    {
        await using var live = new DockerTestEngine(DockerTestEngine.LiveSilo);
        await using var dead = new DockerTestEngine(DeadSilo);
        var kept = await live.Runtime.StartAsync(DockerTestEngine.Request("kept"), TestContext.CancellationToken);
        await dead.Runtime.StartAsync(DockerTestEngine.Request("orphan-1"), TestContext.CancellationToken);
        await dead.Runtime.StartAsync(DockerTestEngine.Request("orphan-2"), TestContext.CancellationToken);
        var reaper = Reaper(live, grace: TimeSpan.Zero);

        var removed = await reaper.ReapOnceAsync(TestContext.CancellationToken);

        Assert.AreEqual(2, removed);
        Assert.IsEmpty(await live.Runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Silo] = DeadSilo }, TestContext.CancellationToken));
        Assert.IsTrue(await live.Runtime.IsRunningAsync(kept, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task OwnContainerWhoseLeaseExpired_IsRemoved()
    {
        await using var live = new DockerTestEngine(DockerTestEngine.LiveSilo);
        var lease = await live.Runtime.StartAsync(DockerTestEngine.Request("unrenewed"), TestContext.CancellationToken);
        // A lease that ran out a minute ago: no waiting for it to expire.
        await live.Runtime.RenewAsync(lease, TimeSpan.FromMinutes(-1), TestContext.CancellationToken);

        var removed = await Reaper(live, grace: TimeSpan.Zero).ReapOnceAsync(TestContext.CancellationToken);

        Assert.AreEqual(1, removed);
        Assert.IsFalse(await live.Runtime.IsRunningAsync(lease, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task OrphanWithinGrace_IsLeftForALaterPass()
    {
        await using var live = new DockerTestEngine(DockerTestEngine.LiveSilo);
        await using var dead = new DockerTestEngine(DeadSilo);
        var orphan = await dead.Runtime.StartAsync(DockerTestEngine.Request("young-orphan"), TestContext.CancellationToken);

        var removed = await Reaper(live, grace: TimeSpan.FromMinutes(5)).ReapOnceAsync(TestContext.CancellationToken);

        Assert.AreEqual(0, removed);
        Assert.IsTrue(await live.Runtime.IsRunningAsync(orphan, TestContext.CancellationToken));
    }

    private static ContainerReaper Reaper(DockerTestEngine live, TimeSpan grace) => new(
        live.Runtime,
        new OneSiloMembership(SiloAddress.FromParsableString(DockerTestEngine.LiveSilo)),
        live.Owner,
        live.Leases,
        Options.Create(new ContainerReaperOptions { Grace = grace }),
        TimeProvider.System,
        NullLogger<ContainerReaper>.Instance);

    /// <summary>Orleans' membership as a one-silo cluster sees it: only the live silo, active.</summary>
    private sealed class OneSiloMembership(SiloAddress silo) : IClusterMembershipService
    {
        public ClusterMembershipSnapshot CurrentSnapshot { get; } = new(
            ImmutableDictionary<SiloAddress, ClusterMember>.Empty.Add(silo, new ClusterMember(silo, SiloStatus.Active, "live")),
            new MembershipVersion(1));

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => throw new NotSupportedException();

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);
    }
}
