using System.Globalization;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Client.Events;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Triggers;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Triggers;

/// <summary>
/// Schedules with shortened intervals on an embedded-profile cluster: each tick invokes the entry step's polling trigger
/// (the sample counter, a real component process) with the snapshot the previous tick left.
/// </summary>
[TestClass]
public sealed class ScheduleTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        s_cluster = await TriggerCluster.StartAsync();
        await TriggerCluster.DeployAsync(s_cluster);
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    /// <summary>counter (the trigger) → echo: each count goes through a second step as the flow's output.</summary>
    public static FlowDefinition Counting(string configuration = "{}") => FlowDefinition.Chain(
        "counting",
        new StepDefinition("count", "counter", "count", configuration),
        new StepDefinition("pass", "echo", "echo"));

    [TestMethod]
    [DataRow(FlowMode.Ordinary)]
    [DataRow(FlowMode.Realtime)]
    public async Task AnIntervalSchedule_FiresOnSchedule_AndItsSnapshotAdvancesFromTickToTick(FlowMode mode)
    {
        var interval = TimeSpan.FromMilliseconds(500);
        var flowId = await s_cluster.CreateFlowAsync(Counting(), mode);
        await Schedule(flowId).ConfigureAsync(new ScheduleSettings(Interval: interval));
        await using var events = await FlowEventSubscription.SubscribeAsync(s_cluster.Client, flowId);
        await s_cluster.Flow(flowId).StartAsync();

        var outputs = await events.WaitForAsync(5, e => e.Kind == FlowEventKind.Output, Wait);
        var info = (await Schedule(flowId).GetAsync())!;
        await s_cluster.Flow(flowId).StopAsync();

        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5 }, outputs.Select(Count).ToArray(), "each tick continues from the last tick's snapshot");
        // A tick is named by its due time: the flow's start plus a whole number of intervals. The first tick of an
        // ordinary flow pays a container start and a real-time one waits for the warm-up: ticks due meanwhile are skipped.
        var ticks = outputs.Select(Tick).ToArray();
        for (var i = 1; i < ticks.Length; i++)
        {
            Assert.IsGreaterThan(ticks[i - 1], ticks[i]);
            Assert.AreEqual(0, (ticks[i] - ticks[0]).Ticks % interval.Ticks, $"tick {ticks[i]:O} is on the schedule's grid from {ticks[0]:O}");
        }

        Assert.AreEqual(0, info.Failed, info.LastError);
        Assert.IsTrue(info.Active);
        Assert.IsGreaterThanOrEqualTo((long)((ticks[^1] - ticks[0]) / interval) + 1, info.Fired + info.Skipped, "every due time up to the last output was fired or skipped");
        var next = JsonDocument.Parse(info.Snapshot!).RootElement.GetProperty("next").GetInt64();
        Assert.IsTrue(next >= 6 && next - 1 <= info.Fired, $"the stored snapshot is the one the last finished tick emitted: next {next}, fired {info.Fired}");
        Assert.IsFalse((await Schedule(flowId).GetAsync())!.Active, "a stopped flow's schedule does not tick");
        var numbers = outputs.Select(o => long.Parse(o.Message!.Headers[ScheduleHeaders.Number], CultureInfo.InvariantCulture)).ToArray();
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5 }, numbers, "the tick's headers travel with what the trigger emitted");
    }

    [TestMethod]
    public async Task ACronSchedule_InATimeZone_FiresOnItsSeconds()
    {
        var flowId = await s_cluster.CreateFlowAsync(Counting(), FlowMode.Realtime);
        await Schedule(flowId).ConfigureAsync(new ScheduleSettings(Cron: "*/1 * * * * *", TimeZone: "Europe/Berlin"));
        await using var events = await FlowEventSubscription.SubscribeAsync(s_cluster.Client, flowId);
        await s_cluster.Flow(flowId).StartAsync();

        var outputs = await events.WaitForAsync(3, e => e.Kind == FlowEventKind.Output, Wait);
        await s_cluster.Flow(flowId).StopAsync();

        Assert.IsTrue(outputs.Select(Tick).All(t => t.Millisecond == 0 && t.Ticks % TimeSpan.TicksPerSecond == 0), "due on whole seconds");
        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, outputs.Select(Count).ToArray());
    }

    [TestMethod]
    public async Task ATickStillRunningWhenTheNextIsDue_MakesThatOneSkipped_NotStacked()
    {
        // Each tick takes 1.4 s; one is due every 0.5 s: two of every three are due while one runs.
        var flowId = await s_cluster.CreateFlowAsync(Counting("""{"delayMs":1400}"""), FlowMode.Realtime);
        await Schedule(flowId).ConfigureAsync(new ScheduleSettings(Interval: TimeSpan.FromMilliseconds(500)));
        await using var events = await FlowEventSubscription.SubscribeAsync(s_cluster.Client, flowId);
        await s_cluster.Flow(flowId).StartAsync();

        var outputs = await events.WaitForAsync(3, e => e.Kind == FlowEventKind.Output, Wait);
        await s_cluster.Flow(flowId).StopAsync();

        var info = (await Schedule(flowId).GetAsync())!;
        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, outputs.Select(Count).ToArray(), "one tick at a time, each from the last one's snapshot");
        Assert.IsGreaterThanOrEqualTo(4, info.Skipped, $"skipped {info.Skipped}, fired {info.Fired}");
        var ticks = outputs.Select(Tick).ToArray();
        Assert.IsTrue(ticks.Zip(ticks.Skip(1)).All(p => p.Second - p.First >= TimeSpan.FromSeconds(1.5)), $"the ticks that fired: {string.Join(", ", ticks)}");
    }

    [TestMethod]
    public async Task InvalidSchedules_AreRefused_NamingTheField()
    {
        var flowId = await s_cluster.CreateFlowAsync(Counting(), FlowMode.Ordinary);
        async Task<string[]> FieldsAsync(ScheduleSettings settings) =>
            [.. (await Assert.ThrowsExactlyAsync<TriggerValidationException>(() => Schedule(flowId).ConfigureAsync(settings))).Errors.Select(e => e.Field)];

        CollectionAssert.AreEqual(new[] { "cron" }, await FieldsAsync(new ScheduleSettings(Cron: "every five minutes")));
        CollectionAssert.AreEqual(new[] { "timeZone" }, await FieldsAsync(new ScheduleSettings(Cron: "* * * * *", TimeZone: "Mars/Olympus")));
        CollectionAssert.AreEqual(new[] { "schedule" }, await FieldsAsync(new ScheduleSettings(Cron: "* * * * *", Interval: TimeSpan.FromMinutes(1))));
        CollectionAssert.AreEqual(new[] { "interval" }, await FieldsAsync(new ScheduleSettings(Interval: TimeSpan.FromMilliseconds(1))));
        Assert.IsNull(await Schedule(flowId).GetAsync(), "nothing was stored");
    }

    private static IScheduleGrain Schedule(string flowId) => s_cluster.Client.GetGrain<IScheduleGrain>(flowId);

    private static long Count(FlowEvent e) => JsonDocument.Parse(e.Message!.Body).RootElement.GetProperty("count").GetInt64();

    private static DateTimeOffset Tick(FlowEvent e) =>
        DateTimeOffset.Parse(JsonDocument.Parse(e.Message!.Body).RootElement.GetProperty("tick").GetString()!, CultureInfo.InvariantCulture);
}
