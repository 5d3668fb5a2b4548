using FlowActors.Silo.Telemetry;
using FlowActors.Telemetry;

namespace FlowActors.Tests.Telemetry;

/// <summary>The console's read model: what the platform's instruments record, bucketed per flow and step, and forgotten after the window.</summary>
[TestClass]
[TestCategory("Telemetry")]
public sealed class MetricsWindowTests
{
    [TestMethod]
    public void Window_CountsTimesAndFailures_PerFlowAndStep_InTheCurrentBucket()
    {
        var time = new ManualTime();
        using var window = new MetricsWindow(new TelemetryOptions(), time);
        var flow = $"w{Guid.NewGuid():N}";

        for (var i = 0; i < 3; i++)
        {
            FlowMetrics.FlowMessageReceived(flow);
        }

        for (var i = 0; i < 98; i++)
        {
            FlowMetrics.StepProcessed(flow, "slow", TimeSpan.FromMilliseconds(10));
        }

        FlowMetrics.StepProcessed(flow, "slow", TimeSpan.FromSeconds(1));
        FlowMetrics.StepProcessed(flow, "slow", TimeSpan.FromSeconds(1));
        FlowMetrics.StepFailed(flow, "slow");
        FlowMetrics.ExecutionEnded(flow, TelemetryNames.Outcomes.Output, TimeSpan.FromMilliseconds(30));
        FlowMetrics.ExecutionEnded(flow, TelemetryNames.Outcomes.Error, TimeSpan.FromMilliseconds(30));
        FlowMetrics.StepProcessed("another-flow", "slow", TimeSpan.FromSeconds(5));

        var (flowSeries, steps) = window.Read(flow);
        Assert.AreEqual(3, flowSeries.Count, "messages the flow accepted");
        Assert.AreEqual(1, flowSeries.Errors, "executions that ended in an error");
        Assert.AreEqual(30, flowSeries.P50Ms!.Value, 30 * 0.12);
        var step = steps.Single();
        Assert.AreEqual("slow", step.StepId);
        Assert.AreEqual(100, step.Count);
        Assert.AreEqual(1, step.Errors);
        Assert.AreEqual(10, step.P50Ms!.Value, 10 * 0.12, "the median, within the buckets' 12 %");
        Assert.AreEqual(1000, step.P99Ms!.Value, 1000 * 0.12, "the 99th of 100 values is one of the two slow ones");
        Assert.HasCount(MetricsWindow.Buckets, step.Points);
        Assert.AreEqual(100, step.Points[^1].Count, "all in the newest bucket");
        Assert.IsTrue(step.Points.Take(MetricsWindow.Buckets - 1).All(p => p.Count == 0 && p.P50Ms is null));
        CollectionAssert.AreEqual(new long[] { 0, 0, 3 }, window.Throughput()[flow][^3..]);
    }

    [TestMethod]
    public void Window_MovesWithTime_AndForgetsWhatIsOlderThanItsSixtyBuckets()
    {
        var time = new ManualTime();
        using var window = new MetricsWindow(new TelemetryOptions { ConsoleBucket = TimeSpan.FromSeconds(15) }, time);
        var flow = $"w{Guid.NewGuid():N}";
        FlowMetrics.StepProcessed(flow, "a", TimeSpan.FromMilliseconds(5));

        time.Advance(TimeSpan.FromSeconds(15));
        FlowMetrics.StepProcessed(flow, "a", TimeSpan.FromMilliseconds(5));
        FlowMetrics.StepProcessed(flow, "a", TimeSpan.FromMilliseconds(5));
        var points = window.Read(flow).Steps.Single().Points;
        Assert.AreEqual(1, points[^2].Count, "the earlier bucket");
        Assert.AreEqual(2, points[^1].Count, "the current bucket");
        Assert.AreEqual(TimeSpan.FromSeconds(15), points[^1].At - points[^2].At);

        time.Advance(TimeSpan.FromSeconds(15 * (MetricsWindow.Buckets - 1)));
        Assert.AreEqual(2, window.Read(flow).Steps.Single().Count, "the first bucket left the window, the second is its oldest");

        time.Advance(TimeSpan.FromSeconds(15));
        Assert.IsEmpty(window.Read(flow).Steps, "nothing left in the window");
        Assert.IsFalse(window.Throughput().ContainsKey(flow));
    }

    /// <summary>A clock the test moves: the window buckets by <see cref="TimeProvider.GetUtcNow"/>.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
