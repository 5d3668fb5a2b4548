using System.Diagnostics;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Telemetry;

namespace FlowActors.Grains.Steps;

/// <summary>
/// One call to a step's component as telemetry sees it: an <c>invoke {action}</c> client span per message (a batch
/// may hold several executions, each keeps its trace) whose id is the traceparent the component gets, so the
/// component's own span hangs under it; and the call's duration.
/// </summary>
internal readonly struct ComponentCall : IDisposable
{
    private readonly StepPlan _plan;
    private readonly long _started;
    private readonly Activity?[]? _spans;

    private ComponentCall(StepPlan plan, IReadOnlyList<FlowMessage> messages)
    {
        _plan = plan;
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
            var span = FlowActivities.StartInvoke(message.TraceParent, plan.FlowId, plan.Step.Id, plan.Step.Action, messages.Count);
            _spans[i] = span;
            traced[i] = span is null ? message : message with { TraceParent = span.Id };
            Activity.Current = current; // the calls are siblings, each under its own message's hop
        }

        Messages = traced;
    }

    /// <summary>The messages to send: each carries its call's span as its traceparent.</summary>
    public IReadOnlyList<FlowMessage> Messages { get; }

    public static ComponentCall Start(StepPlan plan, IReadOnlyList<FlowMessage> messages) => new(plan, messages);

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
        FlowMetrics.ComponentCalled(_plan.FlowId, _plan.Step.Id, Stopwatch.GetElapsedTime(_started));
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
