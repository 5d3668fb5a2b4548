using FlowActors.Containers.Leases;
using FlowActors.Tests.Components;
using FlowActors.Tests.Leases;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowActors.Tests.Docker;

/// <summary>The reaper over real containers: what its rules (<see cref="ReaperRulesTests"/>) remove and what they leave.</summary>
[TestClass]
[TestCategory("Docker")]
public sealed class ContainerReaperTests
{
    private const string DeadSilo = "127.0.0.1:11112@99";
    private const string UnknownSilo = "127.0.0.1:11113@99";

    /// <summary>The live silo's predecessor: same endpoint, older generation.</summary>
    private const string RestartedSilo = "127.0.0.1:11111@50";

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static Task ClassInitialize(TestContext context) => DockerTestEngine.EnsureReadyAsync();

    [TestMethod]
    public async Task ContainersOfDeadAndRestartedSilos_AreRemoved_WhileThoseOfLiveUnknownAndUnlabelledOwnersStay()
    {
        await using var live = new DockerTestEngine(DockerTestEngine.LiveSilo);
        await using var dead = new DockerTestEngine(DeadSilo);
        await using var restarted = new DockerTestEngine(RestartedSilo);
        await using var unknown = new DockerTestEngine(UnknownSilo);
        await using var unlabelled = new DockerTestEngine("");
        var kept = new[]
        {
            await live.Runtime.StartAsync(DockerTestEngine.Request("kept"), TestContext.CancellationToken),
            await unknown.Runtime.StartAsync(DockerTestEngine.Request("other-clusters"), TestContext.CancellationToken),
            await unlabelled.Runtime.StartAsync(DockerTestEngine.Request("no-owner"), TestContext.CancellationToken),
        };
        var reaped = new[]
        {
            await dead.Runtime.StartAsync(DockerTestEngine.Request("orphan"), TestContext.CancellationToken),
            await restarted.Runtime.StartAsync(DockerTestEngine.Request("predecessors"), TestContext.CancellationToken),
        };
        var reaper = Reaper(live, grace: TimeSpan.Zero);

        var removed = await reaper.ReapOnceAsync(TestContext.CancellationToken);

        Assert.AreEqual(2, removed);
        foreach (var lease in reaped)
        {
            Assert.IsFalse(await live.Runtime.IsRunningAsync(lease, TestContext.CancellationToken), $"{lease.Holder}'s container was left");
        }

        foreach (var lease in kept)
        {
            Assert.IsTrue(await live.Runtime.IsRunningAsync(lease, TestContext.CancellationToken), $"{lease.Holder}'s container was removed");
        }
    }

    [TestMethod]
    public async Task ContainerWhoseOwnerIsUnknown_IsReportedOnce_NotAtEveryPass()
    {
        await using var live = new DockerTestEngine(DockerTestEngine.LiveSilo);
        await using var unknown = new DockerTestEngine(UnknownSilo);
        var lease = await unknown.Runtime.StartAsync(DockerTestEngine.Request("stranger"), TestContext.CancellationToken);
        var logger = new CapturingLogger<ContainerReaper>();
        var reaper = Reaper(live, grace: TimeSpan.Zero, logger);

        for (var pass = 0; pass < 3; pass++)
        {
            Assert.AreEqual(0, await reaper.ReapOnceAsync(TestContext.CancellationToken));
        }

        var reports = logger.Entries.Where(e => e.Message.StartsWith($"Leaving container {lease.ContainerId}", StringComparison.Ordinal)).ToList();
        Assert.HasCount(1, reports);
        Assert.AreEqual(LogLevel.Information, reports[0].Level);
        Assert.Contains(UnknownSilo, reports[0].Message);
        Assert.IsTrue(await live.Runtime.IsRunningAsync(lease, TestContext.CancellationToken));
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

    /// <summary>A reaper on the live silo of a cluster whose membership has it active and <see cref="DeadSilo"/> dead.</summary>
    private static ContainerReaper Reaper(DockerTestEngine live, TimeSpan grace, ILogger<ContainerReaper>? logger = null) => new(
        live.Runtime,
        new FakeMembership((DockerTestEngine.LiveSilo, SiloStatus.Active), (DeadSilo, SiloStatus.Dead)),
        live.Owner,
        live.Leases,
        Options.Create(new ContainerReaperOptions { Grace = grace }),
        TimeProvider.System,
        logger ?? new CapturingLogger<ContainerReaper>());
}
