using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Grains.Delivery;
using FlowActors.Grains.Credentials;
using FlowActors.Grains.Interfaces.Containers;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Mappings;
using FlowActors.Mappings;
using FlowActors.Telemetry;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Steps;

/// <summary>
/// What a step's runners (<see cref="RealtimeStep"/>, <see cref="OrdinaryStep"/>) take from their grain: who the step
/// is, the services it calls, its streams and stored state, and the grain's own powers (timers, reports to the flow).
/// One per activation.
/// </summary>
internal sealed partial class StepContext
{
    public required string FlowId { get; init; }

    public required string StepId { get; init; }

    /// <summary>The names the step's spans share, made once per activation.</summary>
    public StepSpanNames SpanNames => field ??= new StepSpanNames(FlowId, StepId);

    /// <summary>Who holds the step's leases: the grain key and the silo, e.g. <c>orders/enrich@S127.0.0.1:11111:1</c>.</summary>
    public required string Holder { get; init; }

    public required StepOptions Options { get; init; }

    /// <summary>The step calls one execution may cause in all (FlowActors:Flows:MaxMessagesPerExecution).</summary>
    public required int MaxMessagesPerExecution { get; init; }

    /// <summary>Longest a stream delivery may keep the step busy (see <see cref="StepOptions.DeliveryBudget"/>).</summary>
    public required TimeSpan DeliveryBudget { get; init; }

    public required IContainerRuntime Runtime { get; init; }

    public required ComponentClient Components { get; init; }

    /// <summary>This silo's copy of the credentials, which steps hand their components with each call.</summary>
    public required CredentialDirectory Credentials { get; init; }

    public required TimeProvider Time { get; init; }

    public required ILogger Logger { get; init; }

    public required StepStreams Streams { get; init; }

    public required StepStateStore State { get; init; }

    /// <summary>The flow's dead letters and counters, which hear what the step's events do not say.</summary>
    public required StepLedger Ledger { get; init; }

    /// <summary>The messages the step has in hand or completed lately, to drop those delivered again.</summary>
    public required StepDeduplication Deduplication { get; init; }

    /// <summary>Registers a grain timer of the step's activation.</summary>
    public required Func<Func<CancellationToken, Task>, GrainTimerCreationOptions, IGrainTimer> RegisterTimer { get; init; }

    /// <summary>Tells the flow about a change in a run (one-way; dropped while the silo shuts down).</summary>
    public required Action<string, StepStatus> Report { get; init; }

    /// <summary>The newest deployed revision of a component (ordinary steps start that one).</summary>
    public required Func<string, Task<ComponentRevision>> LatestRevision { get; init; }

    /// <summary>Lets the activation go once it is idle (an ordinary step's idle timeout).</summary>
    public required Action DeactivateOnIdle { get; init; }

    /// <summary>Limits of the JSONata engine a step with a mapping or edge conditions runs (FlowActors:Mappings).</summary>
    public required JsonataLimits MappingLimits { get; init; }

    /// <summary>The current run's mapping and edge conditions, compiled; null when the step has neither.</summary>
    public StepExpressions? Expressions { get; private set; }

    /// <summary>Compiles <paramref name="plan"/>'s mapping and conditions for the run that starts (the previous run's go).</summary>
    public void UseExpressions(StepPlan plan)
    {
        Expressions?.Dispose();
        Expressions = StepExpressions.For(plan, MappingLimits);
    }

    /// <summary>Lets the engine of the step's expressions go (the activation ends).</summary>
    public void DisposeExpressions()
    {
        Expressions?.Dispose();
        Expressions = null;
    }

    /// <summary>Collects what one batch (or one message) of this step emits.</summary>
    public StepOutputs NewOutputs() => new(FlowId, StepId, MaxMessagesPerExecution, Expressions);

    /// <summary>Calls the component on <paramref name="messages"/> after the run's mapping (<see cref="MappedCalls"/>).</summary>
    public async Task<StepResult[]> InvokeAsync(
        StepInvoker invoker, StepPlan plan, IReadOnlyList<FlowMessage> messages, string? snapshot, CancellationToken cancellationToken)
    {
        var rebuilds = Expressions?.Rebuilds ?? 0;
        var results = await MappedCalls.InvokeAsync(invoker, Expressions, plan, messages, snapshot, MaxMessagesPerExecution, cancellationToken);
        if (Expressions is { } expressions && expressions.Rebuilds > rebuilds)
        {
            LogEngineRebuilt(Logger, FlowId, StepId, expressions.Rebuilds);
        }

        return results;
    }

    /// <summary>
    /// Stores the ids the step completed, at most once per <paramref name="interval"/> (at once with
    /// <see cref="TimeSpan.Zero"/>); never throws.
    /// </summary>
    public async Task SaveCompletedAsync(TimeSpan interval)
    {
        try
        {
            await State.SaveCompletedAsync(Deduplication, interval);
        }
        catch (Exception e)
        {
            // Only a later activation would miss them: it processes such a message again if it is delivered again.
            LogCompletedNotSaved(Logger, FlowId, StepId, e);
        }
    }

    /// <summary>Stores the component's snapshot; never throws.</summary>
    public async Task SaveSnapshotAsync(string? snapshot)
    {
        try
        {
            await State.SaveSnapshotAsync(snapshot);
        }
        catch (Exception e)
        {
            // The component has it in memory either way; only a later activation would miss it.
            LogSnapshotNotSaved(Logger, FlowId, StepId, e);
        }
    }

    /// <summary>A retry policy for <paramref name="plan"/>: its flow's and step's over the silo's defaults.</summary>
    public StepRetries Retries(StepPlan plan) => new(RetryPolicy.Resolve(plan.Delivery, Options.Retry, plan.Step.KeepOrder), Time);

    /// <summary>What a step asks its runtime to start for <paramref name="revision"/>.</summary>
    public ContainerRequest Request(StepPlan plan, ComponentRevision revision) =>
        new(FlowId, StepId, revision, plan.Step.Configuration, Holder, Options.LeaseDuration);

    /// <summary>An error message that names the step (and its component), for the flow's event stream and status.</summary>
    public string Describe(Exception e, StepPlan plan, ComponentRevision? revision)
    {
        if (e is StepException)
        {
            return e.Message;
        }

        var revisionText = revision is { } r ? $" revision {r.Revision}" : "";
        return $"Step '{StepId}' (component '{plan.Step.ComponentId}'{revisionText}) failed: {e.Message}";
    }

    [LoggerMessage(EventId = 1115, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not store its snapshot")]
    private static partial void LogSnapshotNotSaved(ILogger logger, string flowId, string stepId, Exception exception);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId}: its mapping hit the JSONata engine's time or memory limit ({Rebuilds} times in this run); the message failed and the engine was built again")]
    private static partial void LogEngineRebuilt(ILogger logger, string flowId, string stepId, int rebuilds);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not store the ids of the messages it completed")]
    private static partial void LogCompletedNotSaved(ILogger logger, string flowId, string stepId, Exception exception);
}

/// <summary>
/// The step grain's stored state and its writes, one at a time: runners write from background work (a warm-up, a
/// replacement, a batch's snapshot) that can overlap, and a storage write must not start before the previous one ended.
/// Every write stores the whole current state, so the last one carries every change. A write refused for its ETag makes
/// the store stale: another activation owns the step's state, this one ends (<see cref="StateConflicts"/>) and writes no
/// more, so that it cannot overwrite what the other stores.
/// </summary>
/// <param name="endActivationIfConflict">Ends the activation when the exception is a refused ETag; says whether it was.</param>
internal sealed class StepStateStore(IPersistentState<StepState> state, TimeProvider time, Func<Exception, bool> endActivationIfConflict)
{
    private Task _lastWrite = Task.CompletedTask;
    private long _completedSaved = time.GetTimestamp();

    public StepState Current => state.State;

    /// <summary>True once a write was refused for its ETag: the activation is ending, and the store writes no more.</summary>
    public bool Stale { get; private set; }

    /// <summary>
    /// The lease another activation stored, for a stale store's activation deciding whether its container is the one the
    /// next activation adopts (keep it running) or one nobody will (stop it).
    /// </summary>
    public async Task<ContainerLease?> ReadStoredLeaseAsync()
    {
        await state.ReadStateAsync();
        return state.State.Lease;
    }

    /// <summary>Records the container a real-time run holds, so that a later activation can re-adopt it.</summary>
    public Task SaveLeaseAsync(string runId, ContainerLease lease, ComponentRevision revision)
    {
        state.State.RunId = runId;
        state.State.Lease = lease;
        state.State.Revision = revision;
        return WriteAsync();
    }

    public Task ClearLeaseAsync()
    {
        if (state.State.Lease is null && state.State.RunId is null)
        {
            return Task.CompletedTask;
        }

        state.State.RunId = null;
        state.State.Lease = null;
        state.State.Revision = null;
        return WriteAsync();
    }

    public Task SaveSnapshotAsync(string? snapshot)
    {
        state.State.Snapshot = snapshot;
        return WriteAsync();
    }

    /// <summary>Records (or, with null, forgets) the message whose delivery failed, and why.</summary>
    public Task SaveUndeliveredAsync(FlowMessage? message, string? reason)
    {
        state.State.UndeliveredReason = reason;
        state.State.Undelivered = message is null ? null : StorableMessage(message);
        return WriteAsync();
    }

    /// <summary>
    /// Stores the ids the step completed, when some are new and the last store is at least <paramref name="interval"/>
    /// old (or at once, with <see cref="TimeSpan.Zero"/>): storing every completion would double a message's cost.
    /// </summary>
    public Task SaveCompletedAsync(StepDeduplication deduplication, TimeSpan interval)
    {
        if (deduplication.Unsaved == 0 || time.GetElapsedTime(_completedSaved) < interval)
        {
            return Task.CompletedTask;
        }

        _completedSaved = time.GetTimestamp();
        state.State.Completed = deduplication.Save();
        return WriteAsync();
    }

    /// <summary>Stores the messages an ordinary step waits to try again.</summary>
    public Task SaveRetriesAsync(IEnumerable<PendingRetry> retries, StepDeduplication deduplication)
    {
        state.State.Retries = retries.Select(Storable).ToArray();
        state.State.Completed = deduplication.Save();
        _completedSaved = time.GetTimestamp();
        return WriteAsync();

        static PendingRetry Storable(PendingRetry retry) => retry with { Message = StorableMessage(retry.Message), Attempts = retry.Attempts.ToArray() };
    }

    // Stored state holds no compiler-generated collections: a path built with a collection expression is one.
    private static FlowMessage StorableMessage(FlowMessage message) => message with
    {
        Headers = new Dictionary<string, string>(message.Headers, StringComparer.Ordinal),
        Path = message.Path?.ToArray(),
    };

    private Task WriteAsync()
    {
        var write = WriteAfterAsync(_lastWrite);
        _lastWrite = write;
        return write;
    }

    private async Task WriteAfterAsync(Task previous)
    {
        // The previous write's failure is its caller's business; this one stores the current state anyway.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        if (Stale)
        {
            return;
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e) when (endActivationIfConflict(e))
        {
            Stale = true; // not the caller's failure to handle: the activation ends, and the next one reads what is stored
        }
    }
}
