using FlowActors.Client;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Delivery;
using FlowActors.Grains.Interfaces.Executions;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Steps;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Delivery;

/// <summary>
/// One flow's dead letters, in the profile's grain storage (SQLite embedded, blobs in Azure). Every change is written
/// before it is acknowledged, so a step's error event never announces a dead letter that could still be lost.
/// </summary>
public sealed partial class DeadLetterGrain(
    [PersistentState("deadLetters", StorageNames.Grains)] IPersistentState<DeadLetterState> state,
    IOptions<DeadLetterOptions> options,
    ILogger<DeadLetterGrain> logger) : Grain, IDeadLetterGrain
{
    private string FlowId => this.GetPrimaryKeyString();

    public async Task AddAsync(IReadOnlyList<DeadLetter> deadLetters)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        if (deadLetters.Count == 0)
        {
            return;
        }

        var items = state.State.Items;
        var dropped = 0;
        foreach (var letter in deadLetters)
        {
            // The same message given up on again (a redelivery) replaces its earlier dead letter rather than doubling it.
            if (items.FindIndex(d => d.Id == letter.Id) is >= 0 and var existing)
            {
                items.RemoveAt(existing);
            }
            else
            {
                state.State.DeadLettered++;
            }

            items.Add(letter);
        }

        if (items.Count > options.Value.Capacity)
        {
            dropped = items.Count - options.Value.Capacity;
            items.RemoveRange(0, dropped);
            state.State.Dropped += dropped;
            LogDropped(logger, FlowId, dropped, options.Value.Capacity);
        }

        await WriteAsync();
        LogStored(logger, FlowId, deadLetters.Count, deadLetters[0].StepId);
    }

    public Task<DeadLetterPage> ListAsync(int offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var items = state.State.Items;
        var page = items.AsEnumerable().Reverse().Skip(offset).Take(limit).ToArray();
        return Task.FromResult(new DeadLetterPage(page, items.Count, offset));
    }

    public Task<DeadLetter?> GetAsync(string id) => Task.FromResult(state.State.Items.Find(d => d.Id == id));

    public async Task<string?> ReplayAsync(string id, int? revision)
    {
        if (state.State.Items.Find(d => d.Id == id) is not { } letter)
        {
            return null;
        }

        var status = await GrainFactory.GetGrain<IFlowGrain>(FlowId).GetStatusAsync();
        if (status.Lifecycle is not (FlowLifecycle.Running or FlowLifecycle.WarmingUp))
        {
            throw new FlowStateException(
                $"Flow '{FlowId}' is {status.Lifecycle}: a dead letter is replayed to its running step. Start the flow, then replay.", status.Lifecycle);
        }

        var step = status.Steps.FirstOrDefault(s => s.StepId == letter.StepId)
            ?? throw new FlowStateException(
                $"Flow '{FlowId}' has no step '{letter.StepId}' in its running revision, so dead letter '{id}' has nowhere to go. " +
                "Run a revision with that step, or discard the dead letter.", status.Lifecycle);
        var runs = await RevisionOfNextCallAsync(status.Mode, step);
        if (revision is { } wanted && runs.Revision != wanted)
        {
            throw new FlowStateException(
                $"Step '{letter.StepId}' of flow '{FlowId}' {runs.Why} revision {runs.Revision} of component '{step.ComponentId}', not {wanted}. " +
                (status.Mode == FlowMode.Realtime
                    ? "A real-time flow takes its components' newest revisions when it is stopped and started again. "
                    : "An ordinary step takes the newest revision when it starts its next container, after its current one has been idle for FlowActors:Steps:IdleTimeout. ") +
                "Replay without a revision to use the one it runs.", status.Lifecycle);
        }

        // The id stays: a dead-lettered id was never marked completed, so the step takes the replay as a new try. It
        // travels as the flow's hops do (Azure queues for an ordinary flow in the Azure profile), not always in memory.
        var message = letter.Message;
        await GrainFactory.GetGrain<IExecutionLogGrain>(FlowId).ReplayingAsync(message.ExecutionId);
        var input = StepStreams.HopProvider(ServiceProvider, status.Mode).GetStream<FlowMessage>(FlowStreams.StepInputOf(FlowId, letter.StepId));
        await input.OnNextAsync(message);

        state.State.Items.Remove(letter);
        state.State.Replayed++;
        await WriteAsync();
        LogReplayed(logger, FlowId, id, letter.StepId, runs.Revision);
        return message.ExecutionId;
    }

    /// <summary>
    /// The revision a replay to <paramref name="step"/> would meet: a real-time step's pinned one; an ordinary step's
    /// container's while it holds one, else the component's newest, which its next container start takes (the flow's
    /// view of an idle ordinary step shows the revision it ran last).
    /// </summary>
    private async Task<(int Revision, string Why)> RevisionOfNextCallAsync(FlowMode mode, StepStatus step)
    {
        if (mode == FlowMode.Realtime)
        {
            return (step.Revision, "runs");
        }

        var current = await GrainFactory.GetGrain<IStepGrain>(FlowStreams.StepKey(FlowId, step.StepId)).GetStatusAsync();
        if (current.ContainerId is not null)
        {
            return (current.Revision, "holds a container of");
        }

        var newest = await GrainFactory.GetGrain<IComponentGrain>(step.ComponentId).GetLatestAsync();
        return (newest?.Revision ?? 0, "would start its next container with");
    }

    public async Task<bool> DiscardAsync(string id)
    {
        if (state.State.Items.RemoveAll(d => d.Id == id) == 0)
        {
            return false;
        }

        state.State.Discarded++;
        await WriteAsync();
        return true;
    }

    public Task<DeadLetterCounts> GetCountsAsync() => Task.FromResult(new DeadLetterCounts(
        state.State.DeadLettered, state.State.Items.Count, state.State.Dropped, state.State.Replayed, state.State.Discarded));

    /// <summary>A failed write leaves memory as storage has it: the caller learns of the failure and nothing half-happens.</summary>
    private async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            await state.ReadStateAsync();
            throw;
        }
    }

    [LoggerMessage(EventId = 8160, Level = LogLevel.Information, Message = "Flow {FlowId}: {Count} dead letter(s) stored from step {StepId}")]
    private static partial void LogStored(ILogger logger, string flowId, int count, string stepId);

    [LoggerMessage(EventId = 8161, Level = LogLevel.Warning, Message = "Flow {FlowId}: dropped the {Count} oldest dead letter(s) to keep {Capacity} (FlowActors:DeadLetters:Capacity)")]
    private static partial void LogDropped(ILogger logger, string flowId, int count, int capacity);

    [LoggerMessage(EventId = 8162, Level = LogLevel.Information, Message = "Flow {FlowId}: dead letter {Id} replayed to step {StepId} (revision {Revision})")]
    private static partial void LogReplayed(ILogger logger, string flowId, string id, string stepId, int revision);
}
