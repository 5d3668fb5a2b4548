using System.Text.Json;
using FlowActors.Client;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Mappings;

namespace FlowActors.Grains.Mappings;

/// <summary>
/// A step's JSONata: its mapping (what the component receives) and the conditions of its outgoing edges (where each output
/// goes), compiled once into an engine of the step's own when the runner starts, and evaluated a batch at a time. A step
/// with neither has none of this (<see cref="For(StepPlan, JsonataLimits)"/> is null), so its messages take the path they always took.
/// </summary>
/// <remarks>One per step run; not thread-safe (the grain runs one turn at a time).</remarks>
internal sealed class StepExpressions : IDisposable
{
    private readonly JsonataEngine _engine;
    private readonly string _flowId;
    private readonly StepDefinition _step;
    private readonly string _constants;
    private readonly int[] _mapping = [];
    private readonly IReadOnlyList<FlowEdge> _edges;
    private readonly int[] _conditions = [];
    private readonly int[] _conditionEdges = [];
    private readonly int _otherwise = -1;
    private readonly string? _compileError;

    private StepExpressions(JsonataLimits limits, string flowId, StepDefinition step, IReadOnlyList<FlowEdge> edges)
    {
        _engine = new JsonataEngine(limits);
        _flowId = flowId;
        _step = step;
        _edges = edges;
        _constants = Constants(flowId, step);
        if (step.Mapping is { } mapping)
        {
            var (index, error) = _engine.Compile(mapping);
            _mapping = error is null ? [index] : [];
            _compileError ??= error is null ? null : $"The mapping of step '{step.Id}' does not compile: {error}";
        }

        var conditions = new List<int>();
        var conditionEdges = new List<int>();
        for (var i = 0; i < edges.Count; i++)
        {
            if (edges[i].Otherwise)
            {
                _otherwise = i;
            }
            else if (edges[i].When is { } when)
            {
                var (index, error) = _engine.Compile(when);
                _compileError ??= error is null ? null : $"The condition of the edge from step '{step.Id}' to '{edges[i].To}' does not compile: {error}";
                conditions.Add(index);
                conditionEdges.Add(i);
            }
        }

        _conditions = [.. conditions];
        _conditionEdges = [.. conditionEdges];
    }

    /// <summary>The step's expressions, or null when it has no mapping and its edges no conditions.</summary>
    public static StepExpressions? For(StepPlan plan, JsonataLimits limits) =>
        plan.Step.Mapping is null && !plan.IsRouted
            ? null
            : new StepExpressions(limits, plan.FlowId, plan.Step, plan.NextEdges ?? []);

    /// <summary>The same for a step of a definition (trying a step): its edges from the definition.</summary>
    public static StepExpressions For(string flowId, StepDefinition step, IReadOnlyList<FlowEdge> edges, JsonataLimits limits) =>
        new(limits, flowId, step, edges);

    public bool HasMapping => _step.Mapping is not null;

    public bool IsRouted => _conditions.Length > 0 || _otherwise >= 0;

    /// <summary>How many times a limit made the step's engine start again.</summary>
    public int Rebuilds => _engine.Rebuilds;

    /// <summary>
    /// What the component is called with for each message: the mapping's result as the body (one message), or with
    /// <c>each</c>, one message per element of the array it gives; or why the message cannot go on (the mapping failed,
    /// gave no value, or gives more elements than <paramref name="maxCalls"/> allows), naming the step and the mapping.
    /// </summary>
    /// <param name="maxCalls">For each message, the most component calls its budget allows; null: no bound.</param>
    public MappedInput[] Map(IReadOnlyList<FlowMessage> messages, Func<FlowMessage, int>? maxCalls = null)
    {
        var results = new MappedInput[messages.Count];
        if (_compileError is not null)
        {
            Array.Fill(results, new MappedInput(null, _compileError));
            return results;
        }

        var inputs = new JsonataInput[messages.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = new JsonataInput(messages[i].Body, messages[i].Headers, messages[i].ExecutionId);
        }

        var values = _engine.Evaluate(_mapping, inputs, _constants);
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = Mapped(messages[i], values[i], maxCalls?.Invoke(messages[i]));
        }

        return results;
    }

    private MappedInput Mapped(FlowMessage message, ExpressionValue value, int? maxCalls)
    {
        if (value.Error is { } error)
        {
            return new MappedInput(null, $"Step '{_step.Id}': its mapping {Shown(_step.Mapping)} failed on this message: {error}");
        }

        if (value.IsUndefined)
        {
            return _step.Each
                ? new MappedInput([], null) // nothing to split: the message ends here
                : new MappedInput(null,
                    $"Step '{_step.Id}': its mapping {Shown(_step.Mapping)} gave no value for this message (it matched nothing), so there is no body to call the component with.");
        }

        if (!_step.Each)
        {
            return new MappedInput([message with { Body = value.Json! }], null);
        }

        using var document = JsonDocument.Parse(value.Json!);
        var root = document.RootElement;
        var count = root.ValueKind == JsonValueKind.Array ? root.GetArrayLength() : 1;
        if (count > maxCalls)
        {
            return new MappedInput(null,
                $"Step '{_step.Id}': its mapping {Shown(_step.Mapping)} gives {count} elements for 'each', one component call each, " +
                $"but this execution has {Math.Max(0, maxCalls.Value)} calls left here of its budget (FlowActors:Flows:MaxMessagesPerExecution). None was called.");
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            return new MappedInput([message with { Body = value.Json! }], null);
        }

        var calls = new FlowMessage[count];
        var k = 0;
        foreach (var element in root.EnumerateArray())
        {
            // Each element has an id of its own, stable across tries: a component can tell them apart, and drop a repeat.
            calls[k] = message with { Id = FlowMessage.DeriveId(message.Id, _step.Id + "[each]", k), Body = element.GetRawText() };
            k++;
        }

        return new MappedInput(calls, null);
    }

    /// <summary>
    /// Where an output goes: for each edge (in the plan's order), whether it takes it. An edge without a condition always
    /// does; one with a condition when it holds; the otherwise edge when no condition held. A condition that fails to
    /// evaluate fails the output (the error names the step and the edge).
    /// </summary>
    public RouteDecision Route(string body, IReadOnlyDictionary<string, string>? headers, string executionId)
    {
        var takes = new bool[_edges.Count];
        var conditions = new ExpressionValue?[_edges.Count];
        for (var i = 0; i < takes.Length; i++)
        {
            takes[i] = !_edges[i].IsRouted;
        }

        if (_compileError is not null)
        {
            return new RouteDecision(takes, conditions, _compileError);
        }

        var anyHeld = false;
        if (_conditions.Length > 0)
        {
            var values = _engine.Evaluate(_conditions, [new JsonataInput(body, headers, executionId)], _constants, test: true);
            for (var j = 0; j < values.Length; j++)
            {
                var edge = _conditionEdges[j];
                conditions[edge] = values[j];
                if (values[j].Error is { } error)
                {
                    return new RouteDecision(takes, conditions,
                        $"Step '{_step.Id}': the condition {Shown(_edges[edge].When)} of its edge to '{_edges[edge].To}' failed on this output: {error}");
                }

                takes[edge] = values[j].IsTrue;
                anyHeld |= takes[edge];
            }
        }

        if (_otherwise >= 0)
        {
            takes[_otherwise] = !anyHeld;
        }

        return new RouteDecision(takes, conditions, null);
    }

    /// <summary>The bindings every message of the step shares: <c>$flowId</c>, <c>$stepId</c>, <c>$configuration</c>.</summary>
    private static string Constants(string flowId, StepDefinition step)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("flowId", flowId);
            writer.WriteString("stepId", step.Id);
            writer.WritePropertyName("configuration");
            if (step.Configuration is { } configuration) // a JSON object: checked when the draft was saved
            {
                writer.WriteRawValue(configuration);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>An expression as an error message quotes it: in quotes, at most 80 characters.</summary>
    public static string Shown(string? expression) =>
        expression is null ? "''" : $"'{(expression.Length <= 80 ? expression : expression[..80] + "…")}'";

    public void Dispose() => _engine.Dispose();
}

/// <summary>What a mapping made of one message: the messages to call the component with, or why it cannot go on.</summary>
/// <param name="Calls">One message, or with <c>each</c> one per element (none for an empty array); null on a refusal.</param>
/// <param name="Refusal">Why the message fails for good at this step (naming the step and the expression); null otherwise.</param>
internal readonly record struct MappedInput(FlowMessage[]? Calls, string? Refusal);

/// <summary>Where one output goes.</summary>
/// <param name="Takes">Per edge of the step, in order: whether the output takes it.</param>
/// <param name="Conditions">Per edge: what its condition gave (null for an edge without one).</param>
/// <param name="Error">Why the output cannot be routed (a condition failed), naming the step and edge; null otherwise.</param>
internal readonly record struct RouteDecision(bool[] Takes, ExpressionValue?[] Conditions, string? Error);
