using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using FlowActors.Client;
using FlowActors.Client.Events;
using FlowActors.Grains.Interfaces.Triggers;
using FlowActors.Grains.Triggers.Schedules;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Infrastructure;
using Orleans.TestingHost;

namespace FlowActors.Tests.Triggers;

/// <summary>
/// A schedule on two silos with reminders in Azure Table storage (Azurite) and grain state in the shared SQLite file:
/// one tick per period across the cluster, and a schedule whose silo stops comes back on the other one with its snapshot.
/// </summary>
[TestClass]
[TestCategory("Azure")]
public sealed class ScheduleFailoverTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    [TestMethod]
    public async Task TwoSilos_FireOneTickPerPeriod_AndTheSnapshotCarriesOnWhenTheSchedulesSiloStops()
    {
        var azurite = await Azurite.EnsureAsync();
        var prefix = Azurite.NewPrefix();
        await using var cluster = await TriggerCluster.StartAsync(2, silo => silo.UseAzureTableReminderService(o =>
        {
            o.TableServiceClient = new TableServiceClient(azurite);
            o.TableName = $"{prefix}reminders";
        }));
        await TriggerCluster.DeployAsync(cluster);

        // The test cluster's client talks through the first silo: the schedule lives on the other one, which is stopped.
        var victim = cluster.Cluster.Silos[1];
        var flowId = await FlowWithScheduleOnAsync(cluster, victim);
        await using var events = await FlowEventSubscription.SubscribeAsync(cluster.Client, flowId);
        await cluster.Flow(flowId).StartAsync();

        // Two silos, one schedule: each due time fires once, and each tick continues from the one before.
        var outputs = await events.WaitForAsync(8, e => e.Kind == FlowEventKind.Output, Wait);
        var counts = outputs.Select(e => Body(e).GetProperty("count").GetInt64()).ToArray();
        var ticks = outputs.Select(e => DateTimeOffset.Parse(Body(e).GetProperty("tick").GetString()!, CultureInfo.InvariantCulture)).ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(1, counts.Length).Select(n => (long)n).ToArray(), counts, "one tick at a time, each from the last one's snapshot");
        Assert.AreEqual(ticks.Length, ticks.Distinct().Count(), $"no due time fired twice: {string.Join(", ", ticks.Select(t => t.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)))}");
        Assert.IsTrue(ticks.Zip(ticks.Skip(1)).All(p => (p.Second - p.First).Ticks % Interval.Ticks == 0 && p.Second > p.First), "on the schedule's grid, in order");

        var before = (await cluster.Client.GetGrain<IScheduleGrain>(flowId).GetAsync())!;
        var nextAtStop = Next(before);
        await cluster.Cluster.StopSiloAsync(victim);

        // No call made: the schedule's reminder (or its flow, woken on the other silo) brings it back, with its snapshot.
        var deadline = DateTime.UtcNow + Wait;
        ScheduleInfo after;
        while (Next(after = (await cluster.Client.GetGrain<IScheduleGrain>(flowId).GetAsync())!) < nextAtStop + 4)
        {
            Assert.IsLessThan(deadline, DateTime.UtcNow,
                $"snapshot {after.Snapshot} (at the stop: next {nextAtStop}), fired {after.Fired}, last error {after.LastError}");
            await Task.Delay(100); // polling the schedule's state: nothing to await from outside the cluster
        }

        await cluster.Flow(flowId).StopAsync();

        // A tick in flight when its silo stopped may run again (its snapshot was not stored): a duplicate, never a gap.
        var resumedFrom = Next(after) - (after.Fired - before.Fired);
        Console.WriteLine(
            $"schedule failover: ticks before the stop {before.Fired} (next {nextAtStop}), after {after.Fired - before.Fired}, " +
            $"skipped {after.Skipped}, missed {after.Missed}, failed {after.Failed}, resumed from {resumedFrom}");
        Assert.IsGreaterThan(1, Next(after), "the snapshot was not reset to the trigger's start");
        Assert.IsLessThanOrEqualTo(nextAtStop, resumedFrom, "no count was skipped across the stop");
    }

    private static long Next(ScheduleInfo info) => info.Snapshot is { } snapshot ? JsonDocument.Parse(snapshot).RootElement.GetProperty("next").GetInt64() : 1;

    private static JsonElement Body(FlowEvent e) => JsonDocument.Parse(e.Message!.Body).RootElement;

    /// <summary>Creates a flow whose schedule grain activates on <paramref name="silo"/>, and checks that it did.</summary>
    private static async Task<string> FlowWithScheduleOnAsync(FlowCluster cluster, InProcessSiloHandle silo)
    {
        var flowId = await cluster.CreateFlowAsync(ScheduleTests.Counting(), FlowMode.Ordinary);
        await Placement.OnAsync(silo, () => cluster.Client.GetGrain<IScheduleGrain>(flowId).ConfigureAsync(new ScheduleSettings(Interval: Interval)));
        var placed = await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var schedule = placed.Where(p => p.GrainType.Contains(nameof(ScheduleGrain), StringComparison.Ordinal) && p.GrainId.Key.ToString() == flowId)
            .Select(p => p.SiloAddress).ToArray();
        CollectionAssert.AreEqual(new[] { silo.SiloAddress }, schedule, "the schedule grain activated where it was placed");
        return flowId;
    }
}
