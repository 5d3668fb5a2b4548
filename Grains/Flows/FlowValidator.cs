using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FlowActors.Client;
using FlowActors.Mappings;

namespace FlowActors.Grains.Flows;

/// <summary>
/// Checks flow definitions. Pure: the grain passes in what it knows of the deployed components, so every
/// rule is reachable from a unit test without a cluster.
/// </summary>
public static partial class FlowValidator
{
    /// <summary>Largest step configuration accepted, in UTF-8 bytes.</summary>
    public const int MaxConfigurationBytes = 64 * 1024;

    /// <summary>Most steps a flow may have.</summary>
    public const int MaxSteps = 100;

    /// <summary>The default of <see cref="FlowLimitsOptions.MaxMessagesPerExecution"/>.</summary>
    public const int DefaultMaxMessagesPerExecution = 1000;

    /// <summary>The most tries a flow's or step's retry policy may ask for.</summary>
    public const int MaxRetryAttempts = 100;

    /// <summary>The longest flow name: a name is a label people read in lists, not a place for data.</summary>
    public const int MaxNameLength = 200;

    private const string IdRule = "1-64 characters: letters, digits, '-' or '_'";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();

    /// <summary>
    /// <paramref name="text"/> as an error message may quote it: at most 64 characters, control characters shown as
    /// escapes. A caller's 400 KB "id" is not worth sending back, nor a line break into a log.
    /// </summary>
    public static string Quote(string? text)
    {
        if (text is null)
        {
            return "null";
        }

        var shown = text.Length <= 64 ? text : text[..64];
        if (shown.Any(char.IsControl))
        {
            shown = string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        }

        return text.Length <= 64 ? shown : shown + "…";
    }

    /// <summary>
    /// Why <paramref name="name"/> cannot be a flow's name, or null when it can: 1-<see cref="MaxNameLength"/> characters
    /// that print. Control characters and line separators would forge lines in logs and the CLI's output, bidirectional
    /// overrides and isolates would make the console show another name than the one stored, and a lone surrogate is not
    /// text at all.
    /// </summary>
    public static string? NameProblem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "The flow needs a name.";
        }

        if (name.Length > MaxNameLength)
        {
            return $"The name is {name.Length} characters long; at most {MaxNameLength} are allowed.";
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++; // a pair: one character beyond the basic plane (an emoji, say)
                continue;
            }

            if (char.IsSurrogate(c)
                || char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                return $"The name has a character that does not print (U+{(int)c:X4}) at position {i}; use letters, digits, spaces and punctuation.";
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="id"/> is a valid flow, step or component id.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>
    /// Every problem with <paramref name="definition"/>. <paramref name="components"/> maps each referenced
    /// component id to the descriptor of its newest revision, or to null when nothing is deployed under it.
    /// <paramref name="maxMessagesPerExecution"/> bounds the step calls one message may cause (see <see cref="StepCallsPerMessage"/>).
    /// <paramref name="checkExpression"/> compiles a JSONata expression (mappings, edge conditions) and says what is wrong
    /// with it, or null; without it, expressions are checked for their length only.
    /// </summary>
    public static IReadOnlyList<ValidationError> Validate(
        FlowDefinition? definition,
        IReadOnlyDictionary<string, ComponentDescriptor?> components,
        int maxMessagesPerExecution = DefaultMaxMessagesPerExecution,
        Func<string, ExpressionError?>? checkExpression = null)
    {
        var errors = new List<ValidationError>();
        if (definition is null)
        {
            errors.Add(new("definition", "A flow definition is required."));
            return errors;
        }

        if (NameProblem(definition.Name) is { } nameProblem)
        {
            errors.Add(new("name", nameProblem));
        }

        var steps = definition.Steps ?? [];
        var edges = definition.Edges ?? [];
        if (steps.Count == 0)
        {
            errors.Add(new("steps", "A flow needs at least one step."));
            return errors;
        }

        if (steps.Count > MaxSteps)
        {
            errors.Add(new("steps", $"A flow has at most {MaxSteps} steps; this one has {steps.Count}."));
        }

        ValidateDelivery(definition.Delivery, "delivery", errors);
        var ids = ValidateSteps(steps, components, checkExpression, errors);
        ValidateEdges(edges, ids, checkExpression, errors);
        if (errors.Count == 0)
        {
            ValidateGraph(steps, edges, maxMessagesPerExecution, errors);
        }

        return errors;
    }

    /// <summary>
    /// How many step calls one message entering at <paramref name="entry"/> causes when every step emits one data
    /// message per call: every path from the entry to a step is a call of that step. The worst case a definition
    /// shows; components that emit several messages per call can cause more, which the runtime budget bounds. Counting
    /// stops at <paramref name="cap"/>, so a layered bomb (2^49 at 100 steps) costs no more than a chain.
    /// </summary>
    public static long StepCallsPerMessage(FlowGraph graph, string entry, long cap)
    {
        var known = new Dictionary<string, long>(StringComparer.Ordinal);
        return Calls(entry);

        long Calls(string step)
        {
            if (known.TryGetValue(step, out var calls))
            {
                return calls;
            }

            calls = 1;
            foreach (var next in graph.NextSteps(step))
            {
                calls = Math.Min(cap, calls + Calls(next));
            }

            known[step] = calls;
            return calls;
        }
    }

    /// <summary>The component ids a definition refers to, for looking up their descriptors.</summary>
    public static IReadOnlySet<string> ReferencedComponents(FlowDefinition? definition) =>
        (definition?.Steps ?? []).Select(s => s?.ComponentId).Where(IsValidId).ToHashSet(StringComparer.Ordinal)!;

    private static HashSet<string> ValidateSteps(
        IReadOnlyList<StepDefinition> steps,
        IReadOnlyDictionary<string, ComponentDescriptor?> components,
        Func<string, ExpressionError?>? checkExpression,
        List<ValidationError> errors)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var at = $"steps[{i}]";
            if (step is null)
            {
                errors.Add(new(at, "A step is required here, not null."));
                continue;
            }

            if (!IsValidId(step.Id))
            {
                errors.Add(new($"{at}.id", $"'{Quote(step.Id)}' is not a valid step id: expected {IdRule}."));
            }
            else if (!ids.Add(step.Id))
            {
                errors.Add(new($"{at}.id", $"Step id '{Quote(step.Id)}' is used by more than one step; step ids must be unique."));
            }

            ValidateComponent(step, at, components, errors);
            ValidateConfiguration(step.Configuration, $"{at}.configuration", errors);
            ValidateDelivery(step.Delivery, $"{at}.delivery", errors);
            ValidateConcurrency(step, at, components, errors);
            ValidateExpression(step.Mapping, $"{at}.mapping", $"The mapping of step '{Quote(step.Id)}'", checkExpression, errors);
            if (step.Each && step.Mapping is null)
            {
                errors.Add(new($"{at}.each",
                    $"Step '{Quote(step.Id)}' asks for 'each' without a mapping: 'each' splits the mapping's result. Add a mapping (\"$\" splits the body as it is)."));
            }
        }

        return ids;
    }

    /// <summary>
    /// A JSONata expression (a mapping, an edge's condition): not blank, not longer than
    /// <see cref="JsonataLimits.MaxExpressionLength"/>, and compiling, or the error names the position jsonata points at.
    /// </summary>
    private static void ValidateExpression(
        string? expression, string at, string what, Func<string, ExpressionError?>? checkExpression, List<ValidationError> errors)
    {
        if (expression is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(expression))
        {
            errors.Add(new(at, $"{what} is empty. Give a JSONata expression (\"$\" for the body as it is), or leave the field out."));
            return;
        }

        if (expression.Length > JsonataLimits.MaxExpressionLength)
        {
            errors.Add(new(at, $"{what} is {expression.Length} characters long; at most {JsonataLimits.MaxExpressionLength} are accepted."));
            return;
        }

        if (checkExpression?.Invoke(expression) is { } error)
        {
            var position = error.Position is { } p ? $" at position {p}" : "";
            errors.Add(new(at, $"{what} is not valid JSONata{position}: {error.Message}{(error.Code is null ? "" : $" ({error.Code})")}"));
        }
    }

    /// <summary>A retry policy's fields, each optional: tries at least 1, delays positive, the cap not below the first.</summary>
    private static void ValidateDelivery(DeliveryPolicy? delivery, string at, List<ValidationError> errors)
    {
        if (delivery is null)
        {
            return;
        }

        if (delivery.MaxAttempts is < 1 or > MaxRetryAttempts)
        {
            errors.Add(new($"{at}.maxAttempts", $"Expected a number of tries from 1 to {MaxRetryAttempts}; it is {delivery.MaxAttempts}."));
        }

        if (delivery.FirstRetryDelay is { } first && first <= TimeSpan.Zero)
        {
            errors.Add(new($"{at}.firstRetryDelay", $"Expected a positive duration such as \"00:00:01\"; it is {first}."));
        }

        if (delivery.MaxRetryDelay is { } max && (max <= TimeSpan.Zero || max < (delivery.FirstRetryDelay ?? TimeSpan.Zero)))
        {
            errors.Add(new($"{at}.maxRetryDelay", $"Expected a positive duration, at least firstRetryDelay; it is {max}."));
        }
    }

    /// <summary>
    /// <c>concurrency</c> from 1 to <see cref="StepDefinition.ConcurrencyLimit"/>, within what the component declares it
    /// accepts, and not beside <c>keepOrder: true</c>, which means one at a time.
    /// </summary>
    private static void ValidateConcurrency(
        StepDefinition step, string at, IReadOnlyDictionary<string, ComponentDescriptor?> components, List<ValidationError> errors)
    {
        if (step.Concurrency is not { } concurrency)
        {
            return;
        }

        if (concurrency is < 1 or > StepDefinition.ConcurrencyLimit)
        {
            errors.Add(new($"{at}.concurrency",
                $"Expected the most messages in flight to the component at once, from 1 to {StepDefinition.ConcurrencyLimit}; it is {concurrency}."));
        }
        else if (step.KeepOrder == true && concurrency > 1)
        {
            errors.Add(new($"{at}.concurrency",
                $"Step '{Quote(step.Id)}' asks for concurrency {concurrency} and keepOrder: keepOrder means one message at a time. Leave one of them out."));
        }
        else if (step.ComponentId is { } componentId && components.TryGetValue(componentId, out var descriptor)
                 && descriptor?.MaxConcurrency is { } most && concurrency > most)
        {
            errors.Add(new($"{at}.concurrency",
                $"Step '{Quote(step.Id)}' asks for concurrency {concurrency}, but component '{Quote(componentId)}' accepts at most {most} messages at once (its descriptor's maxConcurrency). Ask for {most} or fewer."));
        }
    }

    private static void ValidateComponent(
        StepDefinition step, string at, IReadOnlyDictionary<string, ComponentDescriptor?> components, List<ValidationError> errors)
    {
        if (!IsValidId(step.ComponentId))
        {
            errors.Add(new($"{at}.componentId", $"'{Quote(step.ComponentId)}' is not a valid component id: expected {IdRule}."));
            return;
        }

        if (string.IsNullOrWhiteSpace(step.Action))
        {
            errors.Add(new($"{at}.action", "The step must name a trigger or action of its component."));
            return;
        }

        if (!components.TryGetValue(step.ComponentId, out var descriptor) || descriptor is null)
        {
            errors.Add(new($"{at}.componentId",
                $"Step '{Quote(step.Id)}' refers to component '{Quote(step.ComponentId)}', which has no deployed revision. Deploy the component first."));
            return;
        }

        if (!descriptor.Offers(step.Action))
        {
            var offered = string.Join(", ", descriptor.Triggers.Concat(descriptor.Actions).Take(20).Select(a => $"'{Quote(a)}'"));
            errors.Add(new($"{at}.action",
                $"Component '{Quote(step.ComponentId)}' has no trigger or action '{Quote(step.Action)}'; it offers {offered}."));
        }
    }

    private static void ValidateConfiguration(string? configuration, string at, List<ValidationError> errors)
    {
        if (configuration is null)
        {
            return;
        }

        var size = Encoding.UTF8.GetByteCount(configuration);
        if (size > MaxConfigurationBytes)
        {
            errors.Add(new(at, $"The configuration is {size} bytes; at most {MaxConfigurationBytes} bytes are allowed."));
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(configuration);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(at, $"Expected a JSON object, got a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}."));
            }
        }
        catch (JsonException e)
        {
            errors.Add(new(at, $"Expected a JSON object, but it is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1})."));
        }
    }

    private static void ValidateEdges(
        IReadOnlyList<FlowEdge> edges, HashSet<string> ids, Func<string, ExpressionError?>? checkExpression, List<ValidationError> errors)
    {
        var seen = new HashSet<(string, string)>();
        var otherwise = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < edges.Count; i++)
        {
            var edge = edges[i];
            var at = $"edges[{i}]";
            if (edge is null)
            {
                errors.Add(new(at, "An edge is required here, not null."));
                continue;
            }

            if (!ids.Contains(edge.From ?? ""))
            {
                errors.Add(new($"{at}.from", $"Edge starts at step '{Quote(edge.From)}', which the flow does not have."));
            }

            if (!ids.Contains(edge.To ?? ""))
            {
                errors.Add(new($"{at}.to", $"Edge leads to step '{Quote(edge.To)}', which the flow does not have."));
            }

            if (edge.From == edge.To)
            {
                errors.Add(new(at, $"Edge leads from step '{Quote(edge.From)}' to itself; flows cannot loop."));
            }
            else if (!seen.Add((edge.From ?? "", edge.To ?? "")))
            {
                errors.Add(new(at, $"Edge from '{Quote(edge.From)}' to '{Quote(edge.To)}' appears twice."));
            }

            ValidateExpression(edge.When, $"{at}.when", $"The condition of the edge from '{Quote(edge.From)}' to '{Quote(edge.To)}'", checkExpression, errors);
            if (!edge.Otherwise)
            {
                continue;
            }

            if (edge.When is not null)
            {
                errors.Add(new($"{at}.otherwise",
                    $"The edge from '{Quote(edge.From)}' to '{Quote(edge.To)}' has both 'when' and 'otherwise'; an otherwise edge takes what no condition took. Keep one."));
            }
            else if (otherwise.TryGetValue(edge.From ?? "", out var first))
            {
                errors.Add(new($"{at}.otherwise",
                    $"Step '{Quote(edge.From)}' has a second otherwise edge (the first is edges[{first}]); a step has at most one."));
            }
            else
            {
                otherwise[edge.From ?? ""] = i;
            }
        }
    }

    private static void ValidateGraph(
        IReadOnlyList<StepDefinition> steps, IReadOnlyList<FlowEdge> edges, int maxMessagesPerExecution, List<ValidationError> errors)
    {
        var graph = FlowGraph.Create(steps, edges);
        switch (graph.EntrySteps.Count)
        {
            case 0:
                errors.Add(new("edges", "The flow has no entry step: every step has an incoming edge. Exactly one step must have none."));
                return;
            case > 1:
                errors.Add(new("edges",
                    $"The flow has {graph.EntrySteps.Count} entry steps ({string.Join(", ", graph.EntrySteps.Select(s => $"'{s}'"))}); " +
                    "exactly one step may have no incoming edge."));
                return;
        }

        if (graph.FindCycle() is { } cycle)
        {
            errors.Add(new("edges", $"The flow has a cycle: {string.Join(" → ", cycle)}. Flows must not loop."));
            return;
        }

        var calls = StepCallsPerMessage(graph, graph.EntrySteps[0], maxMessagesPerExecution + 1L);
        if (calls > maxMessagesPerExecution)
        {
            errors.Add(new("edges",
                $"One message can cause more than {maxMessagesPerExecution} step calls in this flow (every path from '{graph.EntrySteps[0]}' to a step " +
                $"is one call of that step), over the limit of {maxMessagesPerExecution} (FlowActors:Flows:MaxMessagesPerExecution). " +
                "Fan out fewer times in a row, or join branches later."));
        }
    }
}
