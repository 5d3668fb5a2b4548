using FlowActors.Grains.Interfaces.Executions;
using FlowActors.Grains.Interfaces.Messages;

namespace FlowActors.Grains.Executions;

/// <summary>
/// A bounded set of executions, folded from flow events: the most recently updated stay, the rest are
/// dropped. Pure, so that a unit test reaches it without a cluster.
/// </summary>
public sealed class ExecutionLog(int capacity)
{
    // Most recently updated last; the dictionary points into the list so an update is O(1).
    private readonly LinkedList<ExecutionRecord> _order = new();
    private readonly Dictionary<string, LinkedListNode<ExecutionRecord>> _byId = new(StringComparer.Ordinal);

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
            _order.RemoveFirst();
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

    private static ExecutionRecord First(FlowEvent e, DateTimeOffset at) => new(
        e.FlowId, e.ExecutionId, StatusOf(e.Kind), e.Path ?? [], FailedStep(e), e.Error, 1, at, at);

    private static ExecutionRecord Fold(ExecutionRecord record, FlowEvent e, DateTimeOffset at)
    {
        // Fan-out executions report several paths that share their first steps: keep each step once.
        var steps = record.Steps.Concat((e.Path ?? []).Where(t => !record.Steps.Contains(t))).ToArray();
        var failed = record.Status == ExecutionStatus.Failed;
        return record with
        {
            Status = failed ? ExecutionStatus.Failed : Max(record.Status, StatusOf(e.Kind)),
            Steps = steps,
            FailedStep = failed ? record.FailedStep : FailedStep(e),
            Error = failed ? record.Error : e.Error,
            Events = record.Events + 1,
            LastEventAt = at,
        };
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
