using System.Diagnostics;
using System.Globalization;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Interfaces.Delivery;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;

namespace FlowActors.Grains.Steps;

/// <summary>
/// Turns what a step's component emitted into what the step publishes: outputs for the next steps, events for the
/// flow, messages rebounded to the step's own input, and the step's new snapshot. Collected per batch, so that the
/// step publishes each stream's share in one go.
/// </summary>
internal sealed class StepOutputs(string flowId, string stepId)
{
    /// <summary>Data for the next steps (each of them gets all of these, in order).</summary>
    public List<FlowMessage> Next { get; } = [];

    /// <summary>Events for the flow's event stream, in order.</summary>
    public List<FlowEvent> Events { get; } = [];

    /// <summary>Messages the step gave up on, for the flow's dead letters (each also has an error event).</summary>
    public List<DeadLetter> DeadLetters { get; } = [];

    /// <summary>Redelivered messages the step had already completed and therefore dropped.</summary>
    public int DuplicatesDropped { get; set; }

    /// <summary>The last snapshot emitted; null when none was.</summary>
    public string? Snapshot { get; private set; }

    public bool SnapshotChanged { get; private set; }

    /// <summary>
    /// Routes the emits of <paramref name="message"/>, which the step received at <paramref name="received"/>, and says
    /// whether the component is done with it or asked for it again (<c>rebound</c>) or refused it for good (<c>poison</c>).
    /// Output ids follow from the message's id and the emit's position, so a message processed again makes the same ids.
    /// </summary>
    public EmitVerdict Add(StepPlan plan, FlowMessage message, IReadOnlyList<Emit> emits, long received)
    {
        var elapsed = Stopwatch.GetElapsedTime(received);
        var hop = new StepTiming(stepId, elapsed);
        var verdict = EmitVerdict.Done;
        for (var index = 0; index < emits.Count; index++)
        {
            var emit = emits[index];
            switch (emit.Kind)
            {
                case EmitKinds.Data:
                    var output = message.Next(index, emit.Body?.GetRawText() ?? "null", emit.Headers ?? message.Headers, hop);
                    if (plan.NextSteps.Count == 0)
                    {
                        Events.Add(Event(FlowEventKind.Output, message, output, null, elapsed));
                    }
                    else
                    {
                        Next.Add(output);
                    }

                    break;
                case EmitKinds.Error:
                    Fail(message, $"Step '{stepId}' (component '{plan.Step.ComponentId}') reported an error: {emit.Error}", elapsed);
                    break;
                case EmitKinds.HttpReply:
                    var headers = new Dictionary<string, string>(emit.Headers ?? new Dictionary<string, string>())
                    {
                        [HttpReplyHeaders.Status] = (emit.Status ?? 200).ToString(CultureInfo.InvariantCulture),
                    };
                    var reply = message.Next(index, emit.Body?.GetRawText() ?? "null", headers, hop);
                    Events.Add(Event(FlowEventKind.HttpReply, message, reply, null, elapsed));
                    break;
                case EmitKinds.Snapshot:
                    Snapshot = emit.Body?.GetRawText();
                    SnapshotChanged = true;
                    break;
                case EmitKinds.Rebound:
                    verdict = verdict.Poison is null ? EmitVerdict.Rebound : verdict;
                    break;
                case EmitKinds.Poison:
                    verdict = new EmitVerdict(false, $"Step '{stepId}' (component '{plan.Step.ComponentId}') refused the message as poison: {emit.Error}");
                    break;
                default:
                    Fail(message,
                        $"Step '{stepId}' (component '{plan.Step.ComponentId}') emitted unknown kind '{emit.Kind}'; expected data, error, snapshot, httpReply, rebound or poison.",
                        elapsed);
                    break;
            }
        }

        return verdict;
    }

    /// <summary>Adds what <paramref name="other"/> holds after what this holds (its snapshot, if it has one, wins).</summary>
    public void Append(StepOutputs other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Next.AddRange(other.Next);
        Events.AddRange(other.Events);
        DeadLetters.AddRange(other.DeadLetters);
        DuplicatesDropped += other.DuplicatesDropped;
        if (other.SnapshotChanged)
        {
            Snapshot = other.Snapshot;
            SnapshotChanged = true;
        }
    }

    /// <summary>An error event for <paramref name="message"/>; <paramref name="error"/> already names the step.</summary>
    public void Fail(FlowMessage message, string error, TimeSpan elapsed) =>
        Events.Add(Event(FlowEventKind.Error, message, null, error, elapsed));

    /// <summary>
    /// The step gives up on <paramref name="message"/>: its execution gets an error event, and the message goes to the
    /// flow's dead letters with its attempts, so an operator can inspect, replay or discard it.
    /// </summary>
    public void DeadLetter(FlowMessage message, string error, IReadOnlyList<DeliveryAttempt> attempts, TimeSpan elapsed, bool poison = false)
    {
        Fail(message, error, elapsed);
        DeadLetters.Add(new DeadLetter(message.Id, flowId, stepId, message, error, attempts, DateTimeOffset.UtcNow, poison));
    }

    /// <summary>
    /// The data could not be handed on (<paramref name="error"/> says where and why): each execution it belonged to gets
    /// an error event instead, so its caller learns of it rather than waiting for an output that will not come.
    /// </summary>
    public void FailUndelivered(string error)
    {
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in Next)
        {
            if (failed.Add(message.ExecutionId))
            {
                var path = message.Path ?? [];
                var elapsed = path.Count > 0 ? path[^1].Elapsed : TimeSpan.Zero;
                Events.Add(new FlowEvent(FlowEventKind.Error, flowId, stepId, message.ExecutionId, null, error, elapsed, path));
            }
        }

        Next.Clear();
    }

    private FlowEvent Event(FlowEventKind kind, FlowMessage cause, FlowMessage? output, string? error, TimeSpan elapsed)
    {
        // An output already carries this step in its path; for an error, the path ends with the failing step.
        var path = output?.Path ?? cause.PathWith(new StepTiming(stepId, elapsed));
        return new FlowEvent(kind, flowId, stepId, cause.ExecutionId, output, error, elapsed, path);
    }
}

/// <summary>What a component's emits say about its message: done with it, asked for it again, or refused it for good.</summary>
/// <param name="Again">The component rebounded it: try it again later (a retry like a failed call).</param>
/// <param name="Poison">Why the component refused it for good (a <c>poison</c> emit): dead-letter it now; null otherwise.</param>
internal readonly record struct EmitVerdict(bool Again, string? Poison)
{
    public static readonly EmitVerdict Done = new(false, null);

    public static readonly EmitVerdict Rebound = new(true, null);
}
