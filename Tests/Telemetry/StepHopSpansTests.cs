using System.Diagnostics;
using System.Diagnostics.Metrics;
using FlowActors.Client;
using FlowActors.Grains.Steps;
using FlowActors.Grains.Steps.Tracing;
using FlowActors.Telemetry;

namespace FlowActors.Tests.Telemetry;

/// <summary>What a step's hops record, without a cluster: spans per message under its own trace, counts of what was published.</summary>
[TestClass]
[TestCategory("Telemetry")]
public sealed class StepHopSpansTests
{
    private const string Step = "enrich";

    [TestMethod]
    public void Batch_CountsWhatItPublished_AndEachMessageHopsInItsOwnTrace()
    {
        var flow = $"h{Guid.NewGuid():N}";
        using var counts = new Counts(flow);
        var spans = new List<Activity>();
        using var listener = Listen(spans);
        var first = Traced(FlowMessage.Create("""{"n":1}"""));
        var second = Traced(FlowMessage.Create("""{"n":2}"""));
        var current = Activity.Current;

        using (var hops = StepHopSpans.Begin(new StepSpanNames(flow, Step), [new InboxEntry(first, Stopwatch.GetTimestamp()), new InboxEntry(second, Stopwatch.GetTimestamp())]))
        {
            Assert.AreSame(current, Activity.Current, "a hop does not become the step's current activity");
            Assert.AreEqual(ActivityContext.Parse(first.TraceParent!, null).TraceId, ActivityContext.Parse(hops.Message(0).TraceParent!, null).TraceId);
            Assert.AreNotEqual(first.TraceParent, hops.Message(0).TraceParent, "what comes of the message hangs under its hop");

            // The first message goes on to two next steps' worth of data, the second fails.
            var outputs = new StepOutputs(flow, Step, maxMessagesPerExecution: 1000);
            outputs.Next.Add(hops.Message(0) with { Id = "a" });
            outputs.Next.Add(hops.Message(0) with { Id = "b" });
            outputs.Fail(hops.Message(1), "Step 'enrich' failed: boom", TimeSpan.FromMilliseconds(1));
            hops.Publishing();
            hops.Published(outputs);
        }

        Assert.AreSame(current, Activity.Current);
        Assert.AreEqual(2, counts.Of(TelemetryNames.Metrics.StepMessagesReceived));
        Assert.AreEqual(2, counts.Of(TelemetryNames.Metrics.StepMessagesSent));
        Assert.AreEqual(1, counts.Of(TelemetryNames.Metrics.StepMessagesFailed));
        Assert.AreEqual(2, counts.Of(TelemetryNames.Metrics.StepDuration), "one latency per message");

        var process = spans.Where(s => s.DisplayName == $"process {Step}").ToArray();
        Assert.HasCount(2, process);
        var (ok, failed) = (process.Single(s => s.TraceId == Trace(first)), process.Single(s => s.TraceId == Trace(second)));
        Assert.AreEqual(ActivityContext.Parse(first.TraceParent!, null).SpanId, ok.ParentSpanId);
        Assert.AreEqual(ActivityStatusCode.Unset, ok.Status);
        Assert.AreEqual(ActivityStatusCode.Error, failed.Status);
        StringAssert.Contains(failed.StatusDescription, "boom");
        foreach (var hop in process)
        {
            Assert.AreEqual(1, spans.Count(s => s.DisplayName == $"wait {Step}" && s.ParentSpanId == hop.SpanId), "its inbox wait");
            Assert.AreEqual(1, spans.Count(s => s.DisplayName == $"publish {Step}" && s.ParentSpanId == hop.SpanId), "its publish");
        }
    }

    [TestMethod]
    public void Batch_OfMessagesWithoutATrace_NestsNoHopUnderAnother()
    {
        var flow = $"h{Guid.NewGuid():N}";
        var spans = new List<Activity>();
        using var listener = Listen(spans);
        var untraced = new[] { FlowMessage.Create("""{"n":1}""") with { TraceParent = null }, FlowMessage.Create("""{"n":2}""") with { TraceParent = null } };

        using (var hops = StepHopSpans.Begin(new StepSpanNames(flow, Step), [.. untraced.Select(m => new InboxEntry(m, Stopwatch.GetTimestamp()))]))
        {
            hops.Publishing();
            hops.Published(new StepOutputs(flow, Step, maxMessagesPerExecution: 1000));
        }

        var process = spans.Where(s => s.DisplayName == $"process {Step}").ToArray();
        Assert.HasCount(2, process);
        Assert.AreNotEqual(process[0].TraceId, process[1].TraceId, "each message without a trace starts its own");
        Assert.IsFalse(process.Any(p => process.Any(q => q.ParentSpanId == p.SpanId)), "no hop under another message's hop");
    }

    private static FlowMessage Traced(FlowMessage message) =>
        message with { TraceParent = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01" };

    private static ActivityTraceId Trace(FlowMessage message) => ActivityContext.Parse(message.TraceParent!, null).TraceId;

    private static ActivityListener Listen(List<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TelemetryNames.Source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>Sums of the platform's instruments for one flow.</summary>
    private sealed class Counts : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, double> _sums = [];

        public Counts(string flowId)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == TelemetryNames.Source)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, tags, v, flowId));
            _listener.SetMeasurementEventCallback<double>((i, _, tags, _) => Add(i, tags, 1, flowId)); // a histogram: its count
            _listener.Start();
        }

        public double Of(string instrument) => _sums.GetValueOrDefault(instrument);

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags, double value, string flowId)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == TelemetryNames.Attributes.FlowId && Equals(tag.Value, flowId))
                {
                    _sums[instrument.Name] = _sums.GetValueOrDefault(instrument.Name) + value;
                }
            }
        }
    }
}
