using System.Diagnostics.Metrics;
using static FlowActors.Telemetry.TelemetryNames;

namespace FlowActors.Telemetry;

/// <summary>
/// Every instrument of the platform's <see cref="Meter"/> (<see cref="TelemetryNames.Source"/>), each with a helper
/// that records it in one line at the call site. Nothing is allocated when nobody listens: an instrument without a
/// listener returns at once, and tags are passed as structs.
/// </summary>
public static class FlowMetrics
{
    /// <summary>Bucket boundaries, in seconds, for every duration: a real-time hop takes well under a millisecond, a container start seconds.</summary>
    private static readonly double[] DurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    public static readonly Meter Meter = new(Source, "1.0");

    private static readonly Counter<long> FlowMessagesReceived = Meter.CreateCounter<long>(
        Metrics.FlowMessagesReceived, "{message}", "Messages a running flow accepted; each starts an execution.");

    private static readonly Histogram<double> ExecutionDuration = Duration(
        Metrics.ExecutionDuration, "Time an execution took to an output, a reply or an error, by outcome.");

    private static readonly Counter<long> StepMessagesReceived = Meter.CreateCounter<long>(
        Metrics.StepMessagesReceived, "{message}", "Messages a step took in.");

    private static readonly Counter<long> StepMessagesSent = Meter.CreateCounter<long>(
        Metrics.StepMessagesSent, "{message}", "Messages a step passed on (to the next steps, or out of the flow).");

    private static readonly Counter<long> StepMessagesFailed = Meter.CreateCounter<long>(
        Metrics.StepMessagesFailed, "{message}", "Messages a step could not process (component error, timeout, crash, no container).");

    private static readonly Histogram<double> StepDuration = Duration(
        Metrics.StepDuration, "Time a message spent in a step: inbox wait, component call and handing on what came of it.");

    private static readonly Histogram<double> ComponentCallDuration = Duration(
        Metrics.ComponentCallDuration, "Time of one call to a step's component (one message, or one batch).");

    private static readonly Histogram<double> WarmUpDuration = Duration(
        Metrics.WarmUpDuration, "Time a real-time flow took from start until every step's container answered.");

    private static readonly Counter<long> ContainerStarts = Meter.CreateCounter<long>(
        Metrics.ContainerStarts, "{container}", "Containers (or component processes) started, by runtime and outcome.");

    private static readonly Histogram<double> ContainerStartDuration = Duration(
        Metrics.ContainerStartDuration, "Time the runtime took to start a container (until it runs; its health probe comes after).");

    private static readonly Counter<long> ContainerReplacements = Meter.CreateCounter<long>(
        Metrics.ContainerReplacements, "{container}", "Containers a step replaced because they died or stopped answering.");

    private static readonly Histogram<double> ContainerReplacementDuration = Duration(
        Metrics.ContainerReplacementDuration, "Time a step took to replace its container until the new one answered.");

    private static readonly Counter<long> ContainerReaps = Meter.CreateCounter<long>(
        Metrics.ContainerReaps, "{container}", "Orphaned containers the reaper removed.");

    private static readonly Histogram<double> ReaperPassDuration = Duration(
        Metrics.ReaperPassDuration, "Time of one reaper pass over the runtime's containers.");

    private static readonly Counter<long> LeaseRenewalFailures = Meter.CreateCounter<long>(
        Metrics.LeaseRenewalFailures, "{renewal}", "Container lease renewals that failed.");

    private static readonly Counter<long> WebhookResponses = Meter.CreateCounter<long>(
        Metrics.WebhookResponses, "{response}", "Webhook responses, by HTTP status code.");

    private static readonly GaugeRegistry Inboxes = new();
    private static readonly GaugeRegistry StreamQueues = new();

    private static readonly ObservableGauge<int> InboxDepth = Meter.CreateObservableGauge(
        Metrics.InboxDepth, Inboxes.Observe, "{message}", "Messages waiting in a real-time step's inbox.");

    private static readonly ObservableGauge<int> StreamQueueLength = Meter.CreateObservableGauge(
        Metrics.StreamQueueLength, StreamQueues.Observe, "{message}", "Messages in a fast-streams queue, handed out or waiting.");

    /// <summary>A running flow accepted a message (<c>FlowGrain.SendAsync</c>).</summary>
    public static void FlowMessageReceived(string flowId) =>
        FlowMessagesReceived.Add(1, Flow(flowId));

    /// <summary>An execution ended with <paramref name="outcome"/> (<see cref="Outcomes.Output"/>, <see cref="Outcomes.Reply"/> or <see cref="Outcomes.Error"/>).</summary>
    public static void ExecutionEnded(string flowId, string outcome, TimeSpan elapsed) =>
        ExecutionDuration.Record(elapsed.TotalSeconds, Flow(flowId), new(Attributes.Outcome, outcome));

    /// <summary><paramref name="count"/> messages entered a step.</summary>
    public static void StepReceived(string flowId, string stepId, int count = 1) =>
        StepMessagesReceived.Add(count, Flow(flowId), Step(stepId));

    /// <summary><paramref name="count"/> messages left a step (to the next steps, or out of the flow).</summary>
    public static void StepSent(string flowId, string stepId, int count = 1) =>
        StepMessagesSent.Add(count, Flow(flowId), Step(stepId));

    /// <summary>A step could not process <paramref name="count"/> messages.</summary>
    public static void StepFailed(string flowId, string stepId, int count = 1) =>
        StepMessagesFailed.Add(count, Flow(flowId), Step(stepId));

    /// <summary>A message spent <paramref name="elapsed"/> in a step (its hop, from arrival until what came of it was handed on).</summary>
    public static void StepProcessed(string flowId, string stepId, TimeSpan elapsed) =>
        StepDuration.Record(elapsed.TotalSeconds, Flow(flowId), Step(stepId));

    /// <summary>One call to a step's component took <paramref name="elapsed"/>.</summary>
    public static void ComponentCalled(string flowId, string stepId, TimeSpan elapsed) =>
        ComponentCallDuration.Record(elapsed.TotalSeconds, Flow(flowId), Step(stepId));

    /// <summary>A real-time flow's warm-up ended (every step ready, or one failed).</summary>
    public static void WarmedUp(string flowId, TimeSpan elapsed, bool succeeded) =>
        WarmUpDuration.Record(elapsed.TotalSeconds, Flow(flowId), Outcome(succeeded));

    /// <summary>A runtime started a container, or failed to; <paramref name="started"/> is the <see cref="System.Diagnostics.Stopwatch"/> timestamp it began at.</summary>
    public static void ContainerStarted(string runtime, long started, bool succeeded)
    {
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        ContainerStarts.Add(1, new(Attributes.Runtime, runtime), Outcome(succeeded));
        ContainerStartDuration.Record(elapsed, new(Attributes.Runtime, runtime), Outcome(succeeded));
    }

    /// <summary>A step replaced its container; <paramref name="elapsed"/> until the new one answered.</summary>
    public static void ContainerReplaced(string flowId, string stepId, TimeSpan elapsed, bool succeeded)
    {
        ContainerReplacements.Add(1, Flow(flowId), Step(stepId), Outcome(succeeded));
        ContainerReplacementDuration.Record(elapsed.TotalSeconds, Flow(flowId), Step(stepId), Outcome(succeeded));
    }

    /// <summary>The reaper removed one orphaned container.</summary>
    public static void ContainerReaped(string runtime) =>
        ContainerReaps.Add(1, new KeyValuePair<string, object?>(Attributes.Runtime, runtime));

    /// <summary>One reaper pass ended; <paramref name="started"/> is the <see cref="System.Diagnostics.Stopwatch"/> timestamp it began at.</summary>
    public static void ReaperPassed(string runtime, long started, bool succeeded) =>
        ReaperPassDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, new(Attributes.Runtime, runtime), Outcome(succeeded));

    /// <summary>A step could not renew its container lease.</summary>
    public static void LeaseRenewalFailed(string flowId, string stepId) =>
        LeaseRenewalFailures.Add(1, Flow(flowId), Step(stepId));

    /// <summary>Whether anyone counts webhook responses: check before arranging to record one.</summary>
    public static bool WebhookResponsesObserved => WebhookResponses.Enabled;

    /// <summary>
    /// A webhook answered with <paramref name="statusCode"/>. By status only: the flow id in a webhook's URL is the
    /// caller's to choose until the webhook is found, and must not become a label.
    /// </summary>
    public static void WebhookResponded(int statusCode)
    {
        if (WebhookResponses.Enabled)
        {
            // Boxes the status code, hence the check: nothing is allocated unless someone listens.
            WebhookResponses.Add(1, new KeyValuePair<string, object?>(Attributes.HttpStatusCode, statusCode));
        }
    }

    /// <summary>
    /// Reports a real-time step's inbox depth (<paramref name="depth"/> is read when metrics are collected, from any
    /// thread) until the returned registration is disposed: call it when the inbox is made, dispose it when it closes.
    /// </summary>
    public static IDisposable TrackInbox(string flowId, string stepId, Func<int> depth) =>
        Inboxes.Add([Flow(flowId), Step(stepId)], depth);

    /// <summary>Reports a fast-streams queue's length until the returned registration is disposed.</summary>
    public static IDisposable TrackStreamQueue(string queue, Func<int> length) =>
        StreamQueues.Add([new(Attributes.Queue, queue)], length);

    private static Histogram<double> Duration(string name, string description) =>
        Meter.CreateHistogram(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    private static KeyValuePair<string, object?> Flow(string flowId) => new(Attributes.FlowId, flowId);

    private static KeyValuePair<string, object?> Step(string stepId) => new(Attributes.StepId, stepId);

    private static KeyValuePair<string, object?> Outcome(bool succeeded) =>
        new(Attributes.Outcome, succeeded ? Outcomes.Succeeded : Outcomes.Failed);
}
