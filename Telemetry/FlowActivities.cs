using System.Diagnostics;
using static FlowActors.Telemetry.TelemetryNames;

namespace FlowActors.Telemetry;

/// <summary>
/// The platform's spans (<see cref="TelemetryNames.Source"/>). One trace per execution: it starts where a message
/// enters a flow (<see cref="StartSend"/>, under the API or webhook request when there is one), the message carries
/// the W3C <c>traceparent</c> of that span from step to step (<c>FlowMessage.TraceParent</c>), and every hop and
/// component call hangs under it. Each helper returns null, having done nothing, when no listener samples the span.
/// </summary>
public static class FlowActivities
{
    public static readonly ActivitySource Source = new(TelemetryNames.Source, "1.0");

    /// <summary>
    /// <c>send {flowId}</c>: a message enters a flow and starts execution <paramref name="executionId"/>. Its parent is
    /// <paramref name="traceParent"/> (the request that sent it) or else the current activity. Put the span's
    /// <see cref="Activity.Id"/> into the message, so that the execution's hops join this trace.
    /// </summary>
    public static Activity? StartSend(string flowId, string executionId, string messageId, string? traceParent)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity($"{Spans.Send} {flowId}", ActivityKind.Producer, Parent(traceParent));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Attributes.MessagingSystem, "flowactors");
            activity.SetTag(Attributes.MessagingOperation, "send");
            activity.SetTag(Attributes.MessagingDestination, flowId);
            activity.SetTag(Attributes.MessagingMessageId, messageId);
            activity.SetTag(Attributes.FlowId, flowId);
            activity.SetTag(Attributes.ExecutionId, executionId);
        }

        return activity;
    }

    /// <summary>
    /// <c>process {stepId}</c>: one step hop of one message, from its arrival (<paramref name="received"/>, a
    /// <see cref="Stopwatch"/> timestamp) to the publish of what came of it; parented to the message's
    /// <paramref name="traceParent"/>. One per message; it ends after the publish. With <paramref name="waited"/>
    /// (a real-time step's inbox), a <c>wait {stepId}</c> child records the time from arrival until <paramref name="now"/>.
    /// </summary>
    public static Activity? StartProcess(
        StepSpanNames step, string executionId, string messageId, string? traceParent, long received, DateTimeOffset now, bool waited)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var arrived = now - Stopwatch.GetElapsedTime(received);
        var activity = Source.StartActivity(step.Process, ActivityKind.Consumer, Parent(traceParent), startTime: arrived);
        if (activity is not { IsAllDataRequested: true })
        {
            return activity;
        }

        activity.SetTag(Attributes.MessagingSystem, "flowactors");
        activity.SetTag(Attributes.MessagingOperation, "process");
        activity.SetTag(Attributes.MessagingDestination, step.Destination);
        activity.SetTag(Attributes.MessagingMessageId, messageId);
        activity.SetTag(Attributes.FlowId, step.FlowId);
        activity.SetTag(Attributes.StepId, step.StepId);
        activity.SetTag(Attributes.ExecutionId, executionId);
        if (waited)
        {
            using var wait = Source.StartActivity(step.Wait, ActivityKind.Internal, activity.Context, startTime: arrived);
            wait?.SetEndTime(now.UtcDateTime);
        }

        return activity;
    }

    /// <summary>
    /// <c>invoke {action}</c>: a call to a step's component for the message whose hop is <paramref name="traceParent"/>.
    /// Its <see cref="Activity.Id"/> is the <c>traceparent</c> the component gets, so the component's span hangs under
    /// it. One per message, also in a batch (<paramref name="batchSize"/>), so that each execution's trace shows its call.
    /// </summary>
    public static Activity? StartInvoke(string? traceParent, StepSpanNames step, string action, int batchSize = 1)
    {
        if (traceParent is null || !Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(step.Invoke(action), ActivityKind.Client, Parent(traceParent));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Attributes.FlowId, step.FlowId);
            activity.SetTag(Attributes.StepId, step.StepId);
            activity.SetTag(Attributes.Action, action);
            if (batchSize > 1)
            {
                activity.SetTag(Attributes.MessagingBatchCount, batchSize);
            }
        }

        return activity;
    }

    /// <summary><c>publish {stepId}</c>: a step hands the hop's outputs to the next steps' streams, under <paramref name="parent"/>.</summary>
    public static Activity? StartPublish(Activity? parent, StepSpanNames step)
    {
        if (parent is null || !Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(step.Publish, ActivityKind.Producer, parent.Context);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Attributes.MessagingSystem, "flowactors");
            activity.SetTag(Attributes.MessagingOperation, "send");
            activity.SetTag(Attributes.FlowId, step.FlowId);
            activity.SetTag(Attributes.StepId, step.StepId);
        }

        return activity;
    }

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="error"/> (which never holds a secret: it is what the flow's events say).</summary>
    public static void Fail(Activity? activity, string error, string errorType = "flowactors.step_error")
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, error);
        activity.SetTag(Attributes.ErrorType, errorType);
    }

    /// <summary>The parent a W3C <c>traceparent</c> names; default (the current activity) when there is none or it does not parse.</summary>
    public static ActivityContext Parent(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out var context) ? context : default;
}
