using System.Diagnostics;
using System.Globalization;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Mappings;
using FlowActors.Grains.Webhooks;

namespace FlowActors.Grains.Steps;

/// <summary>
/// Turns what a step's component emitted into what the step publishes: outputs for the next steps, events for the
/// flow, dead letters, and the step's new snapshot. Collected per batch, so that the
/// step publishes each stream's share in one go.
/// </summary>
/// <param name="maxMessagesPerExecution">The step calls one execution may cause in all (its budget).</param>
/// <param name="expressions">The step's edge conditions, when it has any: each output then goes only where they say.</param>
internal sealed class StepOutputs(string flowId, string stepId, int maxMessagesPerExecution, StepExpressions? expressions = null)
{
    private List<bool[]?>? _targets;

    /// <summary>
    /// Data for the next steps (each of them gets all of these, in order), each with its share of the execution's
    /// budget for all of the next steps together (<see cref="StepStreams"/> splits it among them).
    /// </summary>
    public List<FlowMessage> Next { get; } = [];

    /// <summary>
    /// For each of <see cref="Next"/>, the next steps it goes to (by their index in the plan), or null for all of them;
    /// null when every output goes to every next step (a step without conditions).
    /// </summary>
    public IReadOnlyList<bool[]?>? Targets => _targets;

    /// <summary>Events for the flow's event stream, in order.</summary>
    public List<FlowEvent> Events { get; } = [];

    /// <summary>Messages the step gave up on, for the flow's dead letters (each also has an error event).</summary>
    public List<DeadLetter> DeadLetters { get; } = [];

    /// <summary>Executions whose message ended here without any emit that goes on (a filter): an outcome no event shows.</summary>
    public List<string> Ended { get; } = [];

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
    /// <param name="calls">The component calls that made these emits (a mapping's <c>each</c> makes several), paid from the budget.</param>
    public EmitVerdict Add(StepPlan plan, FlowMessage message, IReadOnlyList<Emit> emits, long received, int calls = 1)
    {
        var elapsed = Stopwatch.GetElapsedTime(received);
        var hop = new StepTiming(stepId, elapsed);
        var goesOn = false;
        var shares = Shares(plan, message, emits, elapsed, calls);
        var data = 0;
        var verdict = EmitVerdict.Done;
        for (var index = 0; index < emits.Count; index++)
        {
            var emit = emits[index];
            goesOn |= emit.Kind != EmitKinds.Snapshot;
            switch (emit.Kind)
            {
                case EmitKinds.Data when shares is null:
                    break; // over the budget: reported once, sent nowhere
                case EmitKinds.Data when plan.NextSteps.Count == 0:
                    var output = message.Next(index, emit.Body?.GetRawText() ?? "null", emit.Headers ?? message.Headers, hop);
                    Events.Add(Event(FlowEventKind.Output, message, output, null, elapsed));
                    break;
                case EmitKinds.Data when shares is { } share:
                    var budget = share.Base + (data++ < share.Extra ? 1 : 0);
                    if (expressions is { IsRouted: true } && plan.NextEdges is { } edges)
                    {
                        AddRouted(message, index, emit, hop, budget, edges);
                        break;
                    }

                    Next.Add(message.Next(index, emit.Body?.GetRawText() ?? "null", emit.Headers ?? message.Headers, hop) with { Budget = budget });
                    _targets?.Add(null);
                    break;
                case EmitKinds.Error:
                    // The component's own verdict: retrying would only repeat it, so the message is dead-lettered at once,
                    // as poison (StepRetries.Settle does it, so that the step does not count it as completed).
                    verdict = verdict.Poison is null
                        ? new EmitVerdict(false, $"Step '{stepId}' (component '{plan.Step.ComponentId}') reported an error: {emit.Error}")
                        : verdict;
                    break;
                case EmitKinds.HttpReply:
                    if (HttpReplyRules.Problem(emit.Status ?? 200, emit.Headers) is { } invalid)
                    {
                        Fail(message, $"Step '{stepId}' (component '{plan.Step.ComponentId}') replied with an invalid HTTP response: {invalid}", elapsed);
                        break;
                    }

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

        if (!goesOn)
        {
            Ended.Add(message.ExecutionId);
        }

        return verdict;
    }

    /// <summary>
    /// An output of a step whose edges have conditions: it goes to the next steps whose edges it takes, and its hop says
    /// which (<see cref="StepTiming.RoutedTo"/>); one that takes none ends its branch with an <see cref="FlowEventKind.Unrouted"/>
    /// event; one whose condition fails gets an error event naming the step and the edge.
    /// </summary>
    private void AddRouted(FlowMessage message, int index, Emit emit, StepTiming hop, int budget, IReadOnlyList<FlowEdge> edges)
    {
        var body = emit.Body?.GetRawText() ?? "null";
        var headers = emit.Headers ?? message.Headers;
        var route = expressions!.Route(body, headers, message.ExecutionId);
        if (route.Error is { } error)
        {
            Fail(message, error, hop.Elapsed);
            return;
        }

        var routedTo = new List<string>(edges.Count);
        for (var i = 0; i < edges.Count; i++)
        {
            if (route.Takes[i])
            {
                routedTo.Add(edges[i].To);
            }
        }

        var output = message.Next(index, body, headers, hop with { RoutedTo = routedTo.ToArray() }) with { Budget = budget };
        if (routedTo.Count == 0)
        {
            Events.Add(Event(FlowEventKind.Unrouted, message, output, null, hop.Elapsed));
            return;
        }

        if (_targets is null)
        {
            _targets = new List<bool[]?>(Next.Count + 1);
            _targets.AddRange(Enumerable.Repeat<bool[]?>(null, Next.Count));
        }

        Next.Add(output);
        _targets.Add(route.Takes);
    }

    /// <summary>
    /// Splits what is left of <paramref name="message"/>'s budget (its share of the execution's, less this call) evenly
    /// among its data outputs, or fails it when that cannot cover them: each output must get at least the calls it
    /// causes with one message per step. A last step's outputs are the flow's: each counts one, and its call counts as
    /// its outputs (at least one). The shares add up to no more than what was left, so an execution never makes more
    /// step calls and outputs than its budget, whichever silos its messages pass, with no counter to share between them.
    /// </summary>
    /// <returns>Null when the outputs are over the budget (and an error event says so).</returns>
    private (int Base, int Extra)? Shares(StepPlan plan, FlowMessage message, IReadOnlyList<Emit> emits, TimeSpan elapsed, int calls)
    {
        var count = 0;
        foreach (var emit in emits)
        {
            count += emit.Kind == EmitKinds.Data ? 1 : 0;
        }

        if (count == 0)
        {
            return (0, 0);
        }

        long perOutput = plan.NextSteps.Count == 0 ? 1 : 0;
        for (var i = 0; i < plan.NextSteps.Count; i++)
        {
            perOutput += plan.CallsOfNextStep(i);
        }

        var left = Math.Min(message.Budget ?? maxMessagesPerExecution, maxMessagesPerExecution) - (plan.NextSteps.Count == 0 ? 0L : calls);
        if (count * perOutput > left)
        {
            Fail(message,
                $"Step '{stepId}' (component '{plan.Step.ComponentId}') emitted {count} messages, which make at least {count * perOutput} " +
                $"{(plan.NextSteps.Count == 0 ? "outputs" : "more step calls")}; this execution has {Math.Max(0, left)} left here of its budget of {maxMessagesPerExecution} " +
                "(FlowActors:Flows:MaxMessagesPerExecution). None of them was sent on. Emit fewer messages per call or raise the budget.",
                elapsed);
            return null;
        }

        return ((int)(left / count), (int)(left % count));
    }

    /// <summary>Adds what <paramref name="other"/> holds after what this holds (its snapshot, if it has one, wins).</summary>
    public void Append(StepOutputs other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._targets is not null || _targets is not null)
        {
            _targets ??= [.. Enumerable.Repeat<bool[]?>(null, Next.Count)];
            _targets.AddRange(other._targets ?? Enumerable.Repeat<bool[]?>(null, other.Next.Count));
        }

        Next.AddRange(other.Next);
        Events.AddRange(other.Events);
        DeadLetters.AddRange(other.DeadLetters);
        Ended.AddRange(other.Ended);
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
        _targets = null;
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
