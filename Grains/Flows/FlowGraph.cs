using FlowActors.Client;

namespace FlowActors.Grains.Flows;

/// <summary>A flow's steps as a directed graph: who follows whom, and where messages enter.</summary>
public sealed class FlowGraph
{
    private readonly IReadOnlyList<string> _order;
    private readonly Dictionary<string, List<string>> _next;

    private FlowGraph(IReadOnlyList<string> order, Dictionary<string, List<string>> next, IReadOnlyList<string> entrySteps)
    {
        _order = order;
        _next = next;
        EntrySteps = entrySteps;
    }

    /// <summary>Steps no edge leads to, in definition order.</summary>
    public IReadOnlyList<string> EntrySteps { get; }

    public static FlowGraph Create(FlowDefinition definition) => Create(definition.Steps, definition.Edges);

    public static FlowGraph Create(IReadOnlyList<StepDefinition> steps, IReadOnlyList<FlowEdge> edges)
    {
        var order = steps.Select(s => s.Id).ToArray();
        var next = order.ToDictionary(id => id, _ => new List<string>(), StringComparer.Ordinal);
        var hasIncoming = new HashSet<string>(StringComparer.Ordinal);
        foreach (var edge in edges)
        {
            next[edge.From].Add(edge.To);
            hasIncoming.Add(edge.To);
        }

        return new FlowGraph(order, next, order.Where(id => !hasIncoming.Contains(id)).ToArray());
    }

    /// <summary>The steps that receive the data a step emits; empty for a last step.</summary>
    public IReadOnlyList<string> NextSteps(string stepId) => _next.TryGetValue(stepId, out var next) ? next : [];

    /// <summary>One cycle as a path that ends where it starts, or null when the graph is acyclic.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the path; true: done
        var path = new List<string>();
        foreach (var id in _order)
        {
            if (Visit(id) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        IReadOnlyList<string>? Visit(string id)
        {
            if (state.TryGetValue(id, out var done))
            {
                return done ? null : [.. path.Skip(path.IndexOf(id)), id];
            }

            state[id] = false;
            path.Add(id);
            foreach (var next in _next[id])
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[id] = true;
            return null;
        }
    }
}
