using System.Diagnostics;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Steps;

/// <summary>
/// How a real-time step serves its messages: the stream delivery only queues them in the inbox, the pump hands them to
/// the component in batches (after warm-up, in order), and what comes of each is published, or reported as an error
/// event when it cannot be; nothing received is dropped without its execution hearing of it.
/// </summary>
internal sealed partial class RealtimeStep
{
    /// <summary>
    /// Queues the message and returns, so the stream hands over the next ones while a component call is in flight. A
    /// full inbox holds the delivery back, at most for the delivery budget: then the delivery fails and the stream
    /// delivers the message again later, rather than time out while the enqueue may still succeed (a duplicate).
    /// </summary>
    public Task OnMessageAsync(InboxEntry entry) =>
        _inbox.Count < _step.Options.InboxCapacity ? _inbox.EnqueueAsync(entry).AsTask() : EnqueueWhenRoomAsync(entry);

    /// <summary>A schedule's tick: on the container the run holds, once it is warm (alongside the inbox's batches).</summary>
    public async Task<IReadOnlyList<Emit>> InvokeTriggerAsync(FlowMessage tick, string? snapshot)
    {
        await _establishing;
        await _invoker.WhenReplacedAsync();
        if (_phase == StepPhase.Failed || _container.Lease is null)
        {
            throw new StepException(_error ?? $"Step '{_step.StepId}' holds no container.");
        }

        return await _invoker.InvokeAsync(Plan, tick, snapshot, RunToken);
    }

    /// <summary>Calls the component on the messages and publishes what comes of each; never throws.</summary>
    private async Task ProcessAsync(IReadOnlyList<InboxEntry> entries)
    {
        using var hops = StepHops.Begin(_step.FlowId, _step.StepId, entries);
        var outputs = _step.NewOutputs();
        try
        {
            await _establishing; // warm-up (or a replacement): messages wait here, in order
            await _invoker.WhenReplacedAsync();
            if (_phase == StepPhase.Failed || _container.Lease is null)
            {
                // Until the flow's next reconciliation tries again, messages fail at once with the reason.
                throw new StepException(_error ?? $"Step '{_step.StepId}' holds no container.");
            }

            var messages = new FlowMessage[entries.Count];
            for (var i = 0; i < messages.Length; i++)
            {
                messages[i] = hops.Message(i);
            }

            var results = await _invoker.InvokeBatchAsync(Plan, messages, _step.State.Current.Snapshot, RunToken);
            for (var i = 0; i < results.Length; i++)
            {
                if (results[i].Error is { } error)
                {
                    var reason = Describe(error);
                    using (hops.Scope(_step.Logger, i))
                    {
                        LogMessageFailed(_step.Logger, _step.FlowId, _step.StepId, messages[i].ExecutionId, reason);
                    }

                    outputs.Fail(messages[i], reason, Stopwatch.GetElapsedTime(entries[i].Received));
                }
                else
                {
                    outputs.Add(Plan, messages[i], results[i].Emits!, entries[i].Received);
                }
            }

            if (outputs.SnapshotChanged)
            {
                await SaveSnapshotAsync(outputs.Snapshot);
            }
        }
        catch (Exception e)
        {
            // No container to call (warm-up failed, the run ended): no message of these got to the component.
            var reason = Describe(e);
            LogMessagesFailed(_step.Logger, _step.FlowId, _step.StepId, entries.Count, reason);
            outputs = _step.NewOutputs();
            for (var i = 0; i < entries.Count; i++)
            {
                outputs.Fail(hops.Message(i), reason, Stopwatch.GetElapsedTime(entries[i].Received));
            }
        }

        hops.Publishing();
        await PublishAsync(outputs);
        hops.Published(outputs);
    }

    /// <summary>
    /// The stream already counts these messages as delivered, so a publish that still fails after its retries cannot
    /// be handed back: each execution concerned gets an error event instead. Only if the events stream refuses too is
    /// there nobody left to tell (logged).
    /// </summary>
    private async Task PublishAsync(StepOutputs outputs)
    {
        try
        {
            await _step.Streams.PublishDataAsync(outputs, batched: true);
        }
        catch (Exception e)
        {
            LogPublishFailed(_step.Logger, _step.FlowId, _step.StepId, e.Message);
            outputs.FailUndelivered(e.Message);
        }

        try
        {
            await _step.Ledger.RecordAsync(outputs);
        }
        catch (Exception e)
        {
            // The error events still tell each execution; only the dead letters' copies are missing.
            LogDeadLettersLost(_step.Logger, _step.FlowId, _step.StepId, outputs.DeadLetters.Count, e);
        }

        try
        {
            await _step.Streams.PublishEventsAsync(outputs, batched: true);
        }
        catch (Exception e)
        {
            LogEventsLost(_step.Logger, _step.FlowId, _step.StepId, outputs.Events.Count, e);
        }
    }

    private async Task SaveSnapshotAsync(string? snapshot)
    {
        try
        {
            await _step.State.SaveSnapshotAsync(snapshot);
        }
        catch (Exception e)
        {
            // The component has its snapshot in memory either way; only a reactivation would miss it.
            LogSnapshotNotSaved(_step.Logger, _step.FlowId, _step.StepId, e);
        }
    }

    private async Task EnqueueWhenRoomAsync(InboxEntry entry)
    {
        LogWaitingForRoom(_step.Logger, _step.FlowId, _step.StepId, _inbox.Count);
        using var budget = new CancellationTokenSource(_step.DeliveryBudget, _step.Time);
        try
        {
            await _inbox.EnqueueAsync(entry, budget.Token);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            LogInboxFull(_step.Logger, _step.FlowId, _step.StepId, _step.DeliveryBudget.TotalSeconds);
            throw new StepException(
                $"Step '{_step.StepId}' had no room in its inbox for {_step.DeliveryBudget.TotalSeconds:0.#} s; the stream delivers the message again.");
        }
    }

    /// <summary>Messages received but never processed: each gets an error event rather than disappearing.</summary>
    private async Task AccountForAsync(IReadOnlyList<InboxEntry> left, string reason)
    {
        if (left.Count == 0)
        {
            return;
        }

        LogDroppedQueued(_step.Logger, _step.FlowId, _step.StepId, left.Count);
        var outputs = _step.NewOutputs();
        foreach (var entry in left)
        {
            outputs.Fail(entry.Message, reason, Stopwatch.GetElapsedTime(entry.Received));
        }

        await PublishAsync(outputs);
        StepHops.Unprocessed(_step.FlowId, _step.StepId, left.Count, outputs);
    }

    private string Describe(Exception e) => RunToken.IsCancellationRequested
        ? $"Step '{_step.StepId}' ended its run (the flow stopped or failed, or the step moved) while it processed the message; it may or may not have been processed."
        : _step.Describe(e, Plan, _container.Revision);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not process {Count} messages: {Reason}")]
    private static partial void LogMessagesFailed(ILogger logger, string flowId, string stepId, int count, string reason);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} failed execution {ExecutionId}: {Reason}")]
    private static partial void LogMessageFailed(ILogger logger, string flowId, string stepId, string executionId, string reason);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not hand its outputs on ({Reason}); their executions get error events")]
    private static partial void LogPublishFailed(ILogger logger, string flowId, string stepId, string reason);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Error, Message = "Flow {FlowId} step {StepId} lost {Count} flow events: the events stream refused them")]
    private static partial void LogEventsLost(ILogger logger, string flowId, string stepId, int count, Exception exception);

    [LoggerMessage(EventId = 8170, Level = LogLevel.Error, Message = "Flow {FlowId} step {StepId} could not store {Count} dead letters; their executions still get error events")]
    private static partial void LogDeadLettersLost(ILogger logger, string flowId, string stepId, int count, Exception exception);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} ended with {Count} messages queued; each gets an error event")]
    private static partial void LogDroppedQueued(ILogger logger, string flowId, string stepId, int count);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId}: inbox full for {Seconds:0.#} s; the stream delivers the message again")]
    private static partial void LogInboxFull(ILogger logger, string flowId, string stepId, double seconds);

    [LoggerMessage(EventId = 1115, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not store its snapshot")]
    private static partial void LogSnapshotNotSaved(ILogger logger, string flowId, string stepId, Exception exception);

    [LoggerMessage(EventId = 1117, Level = LogLevel.Debug, Message = "Flow {FlowId} step {StepId}: inbox full ({Count} messages); the stream waits for room")]
    private static partial void LogWaitingForRoom(ILogger logger, string flowId, string stepId, int count);
}
