using System.Diagnostics;
using FlowActors.Client;
using FlowActors.Telemetry;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Steps.Tracing;

/// <summary>
/// What telemetry sees of the messages a step takes in one go (a real-time batch, or an ordinary step's one message):
/// a <c>process {step}</c> span per message under the message's traceparent (with <c>wait {step}</c> for the time it
/// sat in the inbox), a <c>publish {step}</c> span around handing on what came of it, and the step's counters and
/// latency. The steps call it at three points, so the runners stay about flows, not telemetry.
/// </summary>
/// <remarks>
/// Without a trace listener no span is made and <see cref="Message"/> is the message as received; the counters cost
/// what an instrument without a listener costs (nothing) until metrics are on.
/// </remarks>
internal sealed class StepHopSpans : IDisposable
{
    private static readonly Func<ILogger, string, string?, IDisposable?> ExecutionScope =
        LoggerMessage.DefineScope<string, string?>("Execution {ExecutionId} trace {TraceId}");

    private readonly StepSpanNames _step;
    private readonly InboxEntry[] _entries;
    private readonly Activity?[]? _process;
    private Activity?[]? _publish;

    private StepHopSpans(StepSpanNames step, InboxEntry[] entries, bool waited)
    {
        _step = step;
        _entries = entries;
        FlowMetrics.StepReceived(step.FlowId, step.StepId, entries.Length);
        if (!FlowActivities.Source.HasListeners())
        {
            return;
        }

        // Each hop is its own: its span is made under its message's traceparent, never under what is current, and
        // neither the next message's hop nor what the step does after may nest under it (restored once, below).
        var current = Activity.Current;
        var now = DateTimeOffset.UtcNow;
        _process = new Activity?[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var (message, received) = entries[i];
            if (i > 0 && message.TraceParent is null)
            {
                Activity.Current = current; // no parent of its own: under what was current, not under the hop before
            }

            var process = FlowActivities.StartProcess(step, message.ExecutionId, message.Id, message.TraceParent, received, now, waited);
            _process[i] = process;

            // What comes of the message (outputs, the component's call) hangs under this hop.
            _entries[i] = process is null ? entries[i] : entries[i] with { Message = message with { TraceParent = process.Id } };
        }

        Activity.Current = current;
    }

    /// <summary>The messages of a real-time batch, taken from the inbox now.</summary>
    public static StepHopSpans Begin(StepSpanNames step, IReadOnlyList<InboxEntry> entries) => new(step, [.. entries], waited: true);

    /// <summary>An ordinary step's message, processed inside its delivery.</summary>
    public static StepHopSpans Begin(StepSpanNames step, InboxEntry entry) => new(step, [entry], waited: false);

    /// <summary>The <paramref name="index"/>th message, its traceparent this hop's span: process this one.</summary>
    public FlowMessage Message(int index) => _entries[index].Message;

    /// <summary>A log scope naming the execution and the trace of the <paramref name="index"/>th message.</summary>
    public IDisposable? Scope(ILogger logger, int index = 0)
    {
        var message = _entries[index].Message;
        return ExecutionScope(logger, message.ExecutionId, _process?[index]?.TraceId.ToHexString() ?? TraceId(message.TraceParent));
    }

    /// <summary>The hops hand on their outputs now; call <see cref="Published"/> when that is done.</summary>
    public void Publishing()
    {
        if (_process is null)
        {
            return;
        }

        var current = Activity.Current;
        _publish = new Activity?[_process.Length];
        for (var i = 0; i < _process.Length; i++)
        {
            _publish[i] = FlowActivities.StartPublish(_process[i], _step);
        }

        Activity.Current = current;
    }

    /// <summary>
    /// Counts what came of the hops (<paramref name="outputs"/> as published: data and replies sent, error events
    /// failed) and records each message's time in the step; a hop whose execution got an error event is a failed span.
    /// </summary>
    public void Published(StepOutputs outputs)
    {
        var failed = Errors(outputs);
        var sent = outputs.Next.Count + outputs.Events.Count - failed;
        if (sent > 0)
        {
            FlowMetrics.StepSent(_step.FlowId, _step.StepId, sent);
        }

        if (failed > 0)
        {
            FlowMetrics.StepFailed(_step.FlowId, _step.StepId, failed);
        }

        var current = Activity.Current;
        for (var i = 0; i < _entries.Length; i++)
        {
            FlowMetrics.StepProcessed(_step.FlowId, _step.StepId, Stopwatch.GetElapsedTime(_entries[i].Received));
            _publish?[i]?.Dispose();
            if (failed > 0 && _process?[i] is { } process && ErrorOf(outputs, _entries[i].Message.ExecutionId) is { } error)
            {
                FlowActivities.Fail(process, error);
            }
        }

        Activity.Current = current;
    }

    /// <summary>Ends the hops' spans.</summary>
    public void Dispose()
    {
        if (_process is null)
        {
            return;
        }

        var current = Activity.Current;
        foreach (var process in _process)
        {
            process?.Dispose();
        }

        Activity.Current = current; // a span's end makes its parent current: not ours to change
    }

    /// <summary>
    /// Messages a step received but never processed (the run or the activation ended with them queued), and the error
    /// events it published for them.
    /// </summary>
    public static void Unprocessed(string flowId, string stepId, int count, StepOutputs outputs)
    {
        FlowMetrics.StepReceived(flowId, stepId, count);
        FlowMetrics.StepFailed(flowId, stepId, Errors(outputs));
    }

    /// <summary>The runner's way to replace its container, timed and counted as a replacement.</summary>
    public static Func<Task> Measured(StepContext step, Func<Task> replace) => async () =>
    {
        var started = Stopwatch.GetTimestamp();
        var succeeded = false;
        try
        {
            await replace();
            succeeded = true;
        }
        finally
        {
            FlowMetrics.ContainerReplaced(step.FlowId, step.StepId, Stopwatch.GetElapsedTime(started), succeeded);
        }
    };

    private static int Errors(StepOutputs outputs)
    {
        var errors = 0;
        foreach (var e in outputs.Events)
        {
            errors += e.Kind == FlowEventKind.Error ? 1 : 0;
        }

        return errors;
    }

    private static string? ErrorOf(StepOutputs outputs, string executionId)
    {
        foreach (var e in outputs.Events)
        {
            if (e.Kind == FlowEventKind.Error && e.ExecutionId == executionId)
            {
                return e.Error;
            }
        }

        return null;
    }

    private static string? TraceId(string? traceParent) =>
        traceParent is { Length: 55 } ? traceParent.Substring(3, 32) : null;
}
