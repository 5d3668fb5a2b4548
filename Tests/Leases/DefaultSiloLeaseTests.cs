using System.Diagnostics;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Leases;

/// <summary>
/// The Silo as <c>dotnet run --project Silo</c> runs it (shipped settings, sample flows seeded, cluster "dev", local
/// processes), with only the ports and the reaper's timings shortened: its reaper must leave its own real-time sample
/// alone. Local processes are listed by the runtime that started them, so no other silo on the machine can see them.
/// </summary>
[TestClass]
public sealed class DefaultSiloLeaseTests
{
    /// <summary>Reaper passes to watch: with a 1 s period and grace, the defect reaped at the third.</summary>
    private const int Passes = 6;

    /// <summary>Debug lines of the reaper, one per pass: proof that the passes ran.</summary>
    internal static readonly string[] ReaperTimings =
    [
        "--FlowActors:Containers:Reaper:Period=00:00:01",
        "--FlowActors:Containers:Reaper:Grace=00:00:01",
        "--Logging:LogLevel:FlowActors.Containers.Leases.ContainerReaper=Debug",
    ];

    internal const string PassLine = "Reaper pass over the";

    [TestMethod]
    public async Task DefaultSilo_KeepsItsRealtimeSample_ThroughReaperPasses_AndServesItHot()
    {
        await using var silo = await SiloProcess.StartWithDefaultsAsync(ReaperTimings);
        var before = (await silo.WaitRunningAsync(SampleFlowSeeder.RealtimeFlow, TimeSpan.FromSeconds(90))).Containers();
        var starts = silo.CountLines("Started component");

        await WatchReaperPassesAsync(silo, SampleFlowSeeder.RealtimeFlow, before, Passes);

        var reply = await silo.SendAndWaitAsync(SampleFlowSeeder.RealtimeFlow, """{"name":"ada"}""");
        Assert.AreEqual("ADA", reply.GetProperty("body").GetProperty("name").GetString());
        CollectionAssert.AreEquivalent(before, (await silo.GetStatusAsync(SampleFlowSeeder.RealtimeFlow)).Containers(), "the message was served by other containers");
        Assert.AreEqual(starts, silo.CountLines("Started component"), $"the message paid a container start; path: {reply.GetProperty("path")}");
    }

    /// <summary>
    /// Watches the silo until its reaper made <paramref name="passes"/> more passes, failing at once if it reaps anything
    /// or the flow's containers change.
    /// </summary>
    internal static async Task WatchReaperPassesAsync(SiloProcess silo, string flowId, Dictionary<string, string?> containers, int passes)
    {
        var seen = silo.CountLines(PassLine);
        var clock = Stopwatch.StartNew();
        while (silo.CountLines(PassLine) < seen + passes)
        {
            Assert.AreEqual(0, silo.CountLines("Reaped container"), $"The reaper removed a container:\n{silo.RecentOutput}");
            Assert.AreEqual(0, silo.CountLines("is no longer held"), $"A lease renewal failed:\n{silo.RecentOutput}");
            CollectionAssert.AreEquivalent(containers, (await silo.GetStatusAsync(flowId)).Containers(), $"The flow's containers changed:\n{silo.RecentOutput}");
            Assert.IsLessThan(TimeSpan.FromSeconds(60), clock.Elapsed, $"The reaper made fewer than {passes} passes in 60 s:\n{silo.RecentOutput}");
            await Task.Delay(250);
        }

        Assert.AreEqual(0, silo.CountLines("Reaped container"), $"The reaper removed a container:\n{silo.RecentOutput}");
    }
}
