using System.Diagnostics;
using FlowActors.Client;
using FlowActors.Telemetry;

namespace FlowActors.Grains.Steps.Tracing;

/// <summary>
/// One call to a step's component as telemetry sees it: an <c>invoke {action}</c> client span per message (a batch
/// may hold several executions, each keeps its trace) whose id is the traceparent the component gets, so the
/// component's own span hangs under it; and the call's duration.
/// </summary>
internal readonly struct ComponentCallSpans : IDisposable
{
    private readonly StepSpanNames _step;
    private readonly long _started;
    private readonly Activity?[]? _spans;

    private ComponentCallSpans(StepSpanNames step, string action, IReadOnlyList<FlowMessage> messages)
    {
        _step = step;
        _started = Stopwatch.GetTimestamp();
        Messages = messages;
        if (!FlowActivities.Source.HasListeners())
        {
            return;
        }

        var current = Activity.Current;
        _spans = new Activity?[messages.Count];
        var traced = new FlowMessage[messages.Count];
        for (var i = 0; i < traced.Length; i++)
        {
            var message = messages[i];
            var span = FlowActivities.StartInvoke(message.TraceParent, step, action, messages.Count);
            _spans[i] = span;
            traced[i] = span is null ? message : message with { TraceParent = span.Id };
        }

        Activity.Current = current; // the calls are siblings, each under its own message's hop, none under what is current

        Messages = traced;
    }

    /// <summary>The messages to send: each carries its call's span as its traceparent.</summary>
    public IReadOnlyList<FlowMessage> Messages { get; }

    public static ComponentCallSpans Start(StepSpanNames step, string action, IReadOnlyList<FlowMessage> messages) => new(step, action, messages);

    /// <summary>The call failed: every message's span says why.</summary>
    public void Fail(Exception e)
    {
        foreach (var span in _spans ?? [])
        {
            FlowActivities.Fail(span, e.Message, e.GetType().Name);
        }
    }

    public void Dispose()
    {
        FlowMetrics.ComponentCalled(_step.FlowId, _step.StepId, Stopwatch.GetElapsedTime(_started));
        if (_spans is null)
        {
            return;
        }

        var current = Activity.Current;
        foreach (var span in _spans)
        {
            span?.Dispose();
        }

        Activity.Current = current;
    }
}
