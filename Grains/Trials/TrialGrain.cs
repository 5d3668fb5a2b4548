using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Grains.Credentials;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Trials;
using FlowActors.Grains.Mappings;
using FlowActors.Grains.Steps;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace FlowActors.Grains.Trials;

/// <summary>
/// Tries a flow's draft (see <see cref="ITrialGrain"/>). Stateless: several tries of one flow run side by side, each with
/// its own components, which it stops before it answers.
/// </summary>
[StatelessWorker]
public sealed partial class TrialGrain(
    IContainerRuntime runtime,
    ComponentClient components,
    IOptions<StepOptions> steps,
    IOptions<MappingOptions> mappings,
    CredentialDirectory credentials,
    TimeProvider time,
    ILogger<TrialGrain> logger) : Grain, ITrialGrain
{
    private string FlowId => this.GetPrimaryKeyString();

    public async Task<StepTrial> TryStepAsync(string stepId, TrialMessage sample)
    {
        await using var trial = await BeginAsync(sample);
        var result = await trial.Runner.RunAsync(stepId, trial.Message, CancellationToken.None);
        LogTried(logger, FlowId, stepId, result.Error is null);
        return result;
    }

    public async Task<DraftTrial> TryDraftAsync(TrialMessage sample)
    {
        await using var trial = await BeginAsync(sample);
        var graph = FlowGraph.Create(trial.Draft);
        var entry = graph.EntrySteps.FirstOrDefault()
            ?? throw new ArgumentException($"The draft of flow '{FlowId}' has no entry step: every step has an incoming edge.");
        var results = new List<StepTrial>();
        var pending = new Queue<(string Step, FlowMessage Message)>();
        pending.Enqueue((entry, trial.Message));
        while (pending.TryDequeue(out var next))
        {
            if (results.Count == DraftTrial.MaxStepTrials)
            {
                return new DraftTrial(results, $"The try stopped after {DraftTrial.MaxStepTrials} step calls; {pending.Count + 1} more were due.");
            }

            var result = await trial.Runner.RunAsync(next.Step, next.Message, CancellationToken.None);
            results.Add(result);
            if (result.Error is { } error)
            {
                return new DraftTrial(results, error);
            }

            var index = 0;
            foreach (var emit in result.Emits)
            {
                if (emit.Kind == ComponentProtocol.EmitKinds.Data)
                {
                    var output = next.Message.Next(index, emit.Body ?? "null", emit.Headers, new StepTiming(next.Step, TimeSpan.Zero));
                    foreach (var edge in emit.Edges.Where(e => e.Taken))
                    {
                        pending.Enqueue((edge.To, output));
                    }
                }

                index++;
            }
        }

        LogTried(logger, FlowId, "(draft)", true);
        return new DraftTrial(results, null);
    }

    private async Task<Trial> BeginAsync(TrialMessage sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        MessageBody.ThrowIfNotJson(sample.Body);
        var draft = await GrainFactory.GetGrain<IFlowGrain>(FlowId).GetDraftAsync()
            ?? throw new FlowStateException($"Flow '{FlowId}' has no draft to try. Save a draft first.", FlowLifecycle.Stopped);
        var holder = $"try:{FlowId}@{RuntimeIdentity}/{Guid.NewGuid():N}";
        var runner = new StepTrialRunner(FlowId, draft, holder, runtime, components, steps.Value, mappings.Value.Limits, LatestRevisionAsync, credentials, time);
        return new Trial(draft, FlowMessage.Create(sample.Body, sample.Headers), runner);
    }

    private async Task<ComponentRevision> LatestRevisionAsync(string componentId) =>
        await GrainFactory.GetGrain<IComponentGrain>(componentId).GetLatestAsync()
        ?? throw new InvalidOperationException($"Component '{componentId}' has no deployed revision. Deploy one, then try again.");

    private sealed record Trial(FlowDefinition Draft, FlowMessage Message, StepTrialRunner Runner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Runner.DisposeAsync();
    }

    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "Flow {FlowId}: tried {StepId} on a sample (succeeded: {Succeeded}); its components are stopped")]
    private static partial void LogTried(ILogger logger, string flowId, string stepId, bool succeeded);
}
