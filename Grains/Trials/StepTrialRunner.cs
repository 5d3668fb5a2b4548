using System.Diagnostics;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Containers;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Grains.Credentials;
using FlowActors.Grains.Mappings;
using FlowActors.Grains.Steps;
using FlowActors.Mappings;

namespace FlowActors.Grains.Trials;

/// <summary>
/// One try of a draft: runs its steps on sample messages as a running flow would (mapping, component, edge conditions),
/// each step's component in a process or container of the try's own, started when the try first needs it and stopped
/// when the try is disposed. Nothing goes to a stream or a counter.
/// </summary>
internal sealed class StepTrialRunner(
    string flowId,
    FlowDefinition draft,
    string holder,
    IContainerRuntime runtime,
    ComponentClient components,
    StepOptions options,
    JsonataLimits limits,
    Func<string, Task<ComponentRevision>> latestRevision,
    CredentialDirectory credentials,
    TimeProvider time) : IAsyncDisposable
{
    private readonly Dictionary<string, (StepContainer Container, TimeSpan Start)> _containers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StepExpressions> _expressions = new(StringComparer.Ordinal);

    /// <summary>Runs step <paramref name="stepId"/> on one message; never throws for what the step does.</summary>
    public async Task<StepTrial> RunAsync(string stepId, FlowMessage message, CancellationToken cancellationToken)
    {
        var step = draft.Steps.FirstOrDefault(s => s.Id == stepId)
            ?? throw new ArgumentException($"The draft of flow '{flowId}' has no step '{stepId}'; it has {string.Join(", ", draft.Steps.Select(s => $"'{s.Id}'"))}.", nameof(stepId));
        var expressions = Expressions(step);
        var started = Stopwatch.GetTimestamp();
        FlowMessage[] calls = [message];
        if (step.Mapping is not null)
        {
            var mapped = expressions.Map([message])[0];
            if (mapped.Refusal is { } refusal)
            {
                return new StepTrial(step.Id, message.Body, null, [], refusal, 0, Stopwatch.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.Zero);
            }

            calls = mapped.Calls!;
        }

        var mapping = Stopwatch.GetElapsedTime(started);
        var bodies = calls.Select(c => c.Body).ToArray();
        StepContainer container;
        TimeSpan start;
        try
        {
            (container, start) = await ContainerAsync(step, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new StepTrial(step.Id, message.Body, bodies, [], $"Step '{step.Id}' (component '{step.ComponentId}') did not start: {e.Message}", 0, mapping, TimeSpan.Zero, TimeSpan.Zero);
        }

        var emits = new List<TrialEmit>();
        started = Stopwatch.GetTimestamp();
        string? error = null;
        try
        {
            // The step's credential, as a running step hands it: with each call, never in the component's environment.
            var credential = step.Credential is { } id ? await credentials.GetAsync(id, cancellationToken) : null;
            foreach (var call in calls)
            {
                var emitted = await components.InvokeAsync(
                    container.Lease!.Endpoint, step.Action, call, step.Configuration, null, options.InvokeTimeout, cancellationToken, credential);
                emits.AddRange(emitted.Select(emit => Describe(step, expressions, message, emit)));
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"Step '{step.Id}' (component '{step.ComponentId}' revision {container.Revision?.Revision}) failed: {e.Message}";
        }

        return new StepTrial(step.Id, message.Body, bodies, emits, error, container.Revision?.Revision ?? 0, mapping, start, Stopwatch.GetElapsedTime(started));
    }

    private TrialEmit Describe(StepDefinition step, StepExpressions expressions, FlowMessage message, Emit emit)
    {
        var body = emit.Body?.GetRawText();
        var edges = draft.Edges.Where(e => e.From == step.Id).ToArray();
        if (emit.Kind != EmitKinds.Data || edges.Length == 0)
        {
            return new TrialEmit(emit.Kind, body, emit.Headers, emit.Error, emit.Status, []);
        }

        var route = expressions.IsRouted
            ? expressions.Route(body ?? "null", emit.Headers ?? message.Headers, message.ExecutionId)
            : new RouteDecision([.. edges.Select(_ => true)], new ExpressionValue?[edges.Length], null);
        var trials = edges.Select((edge, i) => new EdgeTrial(
            edge.To, edge.When, edge.Otherwise, route.Error is null && route.Takes[i], route.Conditions[i]?.Error?.ToString())).ToArray();
        return new TrialEmit(emit.Kind, body, emit.Headers, route.Error ?? emit.Error, emit.Status, trials);
    }

    private StepExpressions Expressions(StepDefinition step)
    {
        if (!_expressions.TryGetValue(step.Id, out var expressions))
        {
            expressions = StepExpressions.For(flowId, step, [.. draft.Edges.Where(e => e.From == step.Id)], limits);
            _expressions[step.Id] = expressions;
        }

        return expressions;
    }

    /// <summary>The step's container in this try, started (and waited for) the first time; with the time that took.</summary>
    private async Task<(StepContainer, TimeSpan)> ContainerAsync(StepDefinition step, CancellationToken cancellationToken)
    {
        if (_containers.TryGetValue(step.Id, out var known))
        {
            return (known.Container, TimeSpan.Zero);
        }

        var started = Stopwatch.GetTimestamp();
        var revision = await latestRevision(step.ComponentId);
        var container = new StepContainer(runtime, options, time);
        _containers[step.Id] = (container, TimeSpan.Zero);
        await container.StartAsync(new ContainerRequest(flowId, step.Id, revision, step.Configuration, holder, options.LeaseDuration), cancellationToken);
        await container.WaitReadyAsync(options.ColdStartTimeout, cancellationToken);
        return (container, Stopwatch.GetElapsedTime(started));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (container, _) in _containers.Values)
        {
            await container.ReleaseAsync();
        }

        foreach (var expressions in _expressions.Values)
        {
            expressions.Dispose();
        }
    }
}
