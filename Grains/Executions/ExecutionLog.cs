using System.Text;
using FlowActors.Client;

namespace FlowActors.Grains.Executions;

/// <summary>
/// A bounded set of executions, folded from flow events: the most recently updated stay, the rest are
/// dropped. Each execution keeps its outputs' bodies up to <paramref name="maxOutputBytes"/> in all, so that memory
/// stays bounded by capacity × budget. Pure, so that a unit test reaches it without a cluster.
/// </summary>
public sealed class ExecutionLog(int capacity, int maxOutputBytes = ExecutionLogOptions.DefaultMaxOutputBytes)
{
    /// <summary>Outputs listed per execution; a fan-out's further outputs are counted in <see cref="ExecutionRecord.Events"/> only.</summary>
    public const int MaxOutputs = 16;

    // Most recently updated last; the dictionary points into the list so an update is O(1).
    private readonly LinkedList<ExecutionRecord> _order = new();
    private readonly Dictionary<string, LinkedListNode<ExecutionRecord>> _byId = new(StringComparer.Ordinal);

    // Failed executions with a dead letter replayed: the replay's outcome takes the place of the failure it replays.
    private readonly HashSet<string> _replaying = new(StringComparer.Ordinal);

    public int Count => _byId.Count;

    public void Add(FlowEvent e, DateTimeOffset at)
    {
        if (_byId.Remove(e.ExecutionId, out var node))
        {
            _order.Remove(node);
        }

        var record = node is null ? First(e, at) : Fold(node.Value, e, at);
        _byId[e.ExecutionId] = _order.AddLast(record);
        while (_byId.Count > capacity)
        {
            _byId.Remove(_order.First!.Value.ExecutionId);
            _replaying.Remove(_order.First.Value.ExecutionId);
            _order.RemoveFirst();
        }
    }

    /// <summary>
    /// A dead letter of the execution was sent again to the step that failed. Its failure stands until the replay has
    /// an outcome: an output or reply that went through that step makes the execution succeed (as the same events
    /// would have, had the step not failed the first time); an error fails it anew, with the new error.
    /// </summary>
    public void Replaying(string executionId)
    {
        if (_byId.TryGetValue(executionId, out var node) && node.Value.Status == ExecutionStatus.Failed)
        {
            _replaying.Add(executionId);
        }
    }

    public IReadOnlyList<ExecutionRecord> Recent(int limit)
    {
        var result = new List<ExecutionRecord>(Math.Min(Math.Max(limit, 0), _byId.Count));
        for (var node = _order.Last; node is not null && result.Count < limit; node = node.Previous)
        {
            result.Add(node.Value);
        }

        return result;
    }

    public ExecutionRecord? Find(string executionId) => _byId.TryGetValue(executionId, out var node) ? node.Value : null;

    private ExecutionRecord First(FlowEvent e, DateTimeOffset at) => new(
        e.FlowId, e.ExecutionId, StatusOf(e.Kind), e.Path ?? [], FailedStep(e), e.Error, 1, at, at, WithOutput([], e));

    private ExecutionRecord Fold(ExecutionRecord record, FlowEvent e, DateTimeOffset at)
    {
        // Fan-out executions report several paths that share their first steps: keep each step once.
        var steps = record.Steps.Concat((e.Path ?? []).Where(t => !record.Steps.Contains(t))).ToArray();
        if (record.Status == ExecutionStatus.Failed && _replaying.Contains(record.ExecutionId)
            && (e.Kind == FlowEventKind.Error || (e.Path ?? []).Any(t => t.StepId == record.FailedStep)))
        {
            // The replay's outcome: the failure replayed is forgotten, as if the step had done this the first time.
            _replaying.Remove(record.ExecutionId);
            var outcome = record.Outputs.Select(o => StatusOf(o.Kind)).Aggregate(ExecutionStatus.Succeeded, Max);
            record = record with { Status = outcome, FailedStep = null, Error = null };
        }

        var failed = record.Status == ExecutionStatus.Failed;
        return record with
        {
            Status = failed ? ExecutionStatus.Failed : Max(record.Status, StatusOf(e.Kind)),
            Steps = steps,
            FailedStep = failed ? record.FailedStep : FailedStep(e),
            Error = failed ? record.Error : e.Error,
            Events = record.Events + 1,
            LastEventAt = at,
            Outputs = WithOutput(record.Outputs, e),
        };
    }

    /// <summary>The outputs so far plus the event's body, within the execution's byte budget.</summary>
    private IReadOnlyList<ExecutionOutput> WithOutput(IReadOnlyList<ExecutionOutput> outputs, FlowEvent e)
    {
        if (e.Kind == FlowEventKind.Error || e.Message is not { } message || outputs.Count >= MaxOutputs)
        {
            return outputs;
        }

        var left = maxOutputBytes - outputs.Sum(o => o.Body is null ? 0 : Encoding.UTF8.GetByteCount(o.Body));
        var bytes = Encoding.UTF8.GetByteCount(message.Body);
        var output = bytes <= left
            ? new ExecutionOutput(e.StepId, e.Kind, message.Body, Truncated: false, bytes)
            : new ExecutionOutput(e.StepId, e.Kind, left > 0 ? Prefix(message.Body, left) : null, Truncated: true, bytes);
        return outputs.Append(output).ToArray(); // an array: records cross the wire, and compiler-generated collections have no codec
    }

    /// <summary>The longest start of <paramref name="text"/> that fits in <paramref name="maxBytes"/> UTF-8 bytes, whole characters only.</summary>
    private static string Prefix(string text, int maxBytes)
    {
        var length = 0;
        var bytes = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            bytes += rune.Utf8SequenceLength;
            if (bytes > maxBytes)
            {
                break;
            }

            length += rune.Utf16SequenceLength;
        }

        return text[..length];
    }

    private static ExecutionStatus Max(ExecutionStatus a, ExecutionStatus b) => (ExecutionStatus)Math.Max((int)a, (int)b);

    private static ExecutionStatus StatusOf(FlowEventKind kind) => kind switch
    {
        FlowEventKind.Error => ExecutionStatus.Failed,
        FlowEventKind.HttpReply => ExecutionStatus.Replied,
        _ => ExecutionStatus.Succeeded,
    };

    private static string? FailedStep(FlowEvent e) => e.Kind == FlowEventKind.Error ? e.StepId : null;
}
