using System.Diagnostics;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Delivery;
using FlowActors.Grains.Steps.Tracing;
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
            throw new StepException(_error ?? $"Step '{_step.StepId}' holds no container.") { Certain = _errorCertain && _error is not null };
        }

        return await _invoker.InvokeAsync(Plan, tick, snapshot, RunToken);
    }

    /// <summary>
    /// Calls the component on the messages and publishes what comes of each, in order; never throws. A message whose call
    /// fails, or that the component rebounds, is tried again after a backoff: meanwhile the messages behind it go on,
    /// unless the step keeps order (then the batch waits and tries only the failed ones again, and publishes in order).
    /// </summary>
    private async Task ProcessAsync(IReadOnlyList<InboxEntry> received)
    {
        using var hops = StepHopSpans.Begin(_step.SpanNames, received);

        // As telemetry hands them on (each under its hop's span); a retry goes back to the inbox as it was received.
        IReadOnlyList<InboxEntry> entries = received.Select((entry, i) => entry with { Message = hops.Message(i) }).ToArray();
        var slots = new StepOutputs[entries.Count];
        var settled = new Settled[entries.Count];
        try
        {
            await _establishing; // warm-up (or a replacement): messages wait here, in order
            await _invoker.WhenReplacedAsync();
            if (_phase == StepPhase.Failed || _container.Lease is null)
            {
                // Until the flow's next reconciliation tries again, messages fail with the reason (and are retried).
                throw new StepException(_error ?? $"Step '{_step.StepId}' holds no container.") { Certain = _errorCertain && _error is not null };
            }

            var tries = Enumerable.Range(0, entries.Count).ToList();
            while (tries.Count > 0)
            {
                var messages = tries.Select(i => entries[i].Message).ToArray();
                var results = await _step.InvokeAsync(_invoker, Plan, messages, _step.State.Current.Snapshot, RunToken);
                var again = new List<int>();
                var due = DateTimeOffset.MinValue;
                for (var k = 0; k < results.Length; k++)
                {
                    var i = tries[k];
                    slots[i] = _step.NewOutputs();
                    var error = results[k].Error is { } e ? Describe(e) : null;
                    if (error is not null)
                    {
                        using (hops.Scope(_step.Logger, i))
                        {
                            LogMessageFailed(_step.Logger, _step.FlowId, _step.StepId, entries[i].Message.ExecutionId, error);
                        }
                    }

                    if (error is not null && RunToken.IsCancellationRequested)
                    {
                        slots[i].Fail(entries[i].Message, error, Stopwatch.GetElapsedTime(entries[i].Received));
                        settled[i] = Settled.GaveUp; // the run ended: not to be tried again by it
                        continue;
                    }

                    settled[i] = _retries.Settle(slots[i], Plan, entries[i], results[k].Emits, error, _revision.Revision, out var retry, results[k].Refusal, results[k].Calls);
                    if (settled[i] == Settled.Retry)
                    {
                        LogRetrying(_step.Logger, _step.FlowId, _step.StepId, entries[i].Message.Id, retry!.Attempts.Count, retry.Due, retry.Attempts[^1].Error);
                        if (_retries.Policy.KeepOrder)
                        {
                            again.Add(i);
                            due = retry.Due > due ? retry.Due : due;
                        }
                        else
                        {
                            RetryLater(received[i], retry.Due);
                        }
                    }
                }

                await SaveSnapshotIfChangedAsync(slots);
                if (again.Count > 0)
                {
                    // In order: the batch waits for its failed messages' next try, and only they are tried again.
                    await Task.Delay(Max(due - _step.Time.GetUtcNow(), TimeSpan.Zero), _step.Time, RunToken);
                }

                tries = again;
            }
        }
        catch (Exception e)
        {
            // No container to call (warm-up failed, a replacement failed, the run ended): the messages not settled yet
            // did not get to the component this time.
            var reason = Describe(e);
            LogMessagesFailed(_step.Logger, _step.FlowId, _step.StepId, entries.Count, reason);
            for (var i = 0; i < entries.Count; i++)
            {
                if (slots[i] is not null && settled[i] != Settled.Retry)
                {
                    continue;
                }

                slots[i] = _step.NewOutputs();
                if (RunToken.IsCancellationRequested)
                {
                    _retries.Forget(entries[i].Message.Id);
                    slots[i].Fail(entries[i].Message, reason, Stopwatch.GetElapsedTime(entries[i].Received));
                    settled[i] = Settled.GaveUp;
                }
                else if ((settled[i] = _retries.Settle(slots[i], Plan, entries[i], null, reason, null, out var retry, certain: StepException.IsCertain(e))) == Settled.Retry)
                {
                    RetryLater(received[i], retry!.Due);
                }
            }
        }

        var outputs = Merge(slots);
        hops.Publishing();
        await PublishAsync(outputs);
        hops.Published(outputs);
        for (var i = 0; i < entries.Count; i++)
        {
            switch (settled[i])
            {
                case Settled.Completed:
                    _step.Deduplication.Complete(entries[i].Message.Id);
                    break;
                case Settled.GaveUp:
                    _step.Deduplication.Abandon(entries[i].Message.Id);
                    break;
            }
        }

        await _step.SaveCompletedAsync(_step.Options.DeduplicationSaveInterval);
    }

    private StepOutputs Merge(StepOutputs[] slots)
    {
        var outputs = _step.NewOutputs();
        foreach (var slot in slots)
        {
            if (slot is not null)
            {
                outputs.Append(slot);
            }
        }

        return outputs;
    }

    private async Task SaveSnapshotIfChangedAsync(StepOutputs[] slots)
    {
        var changed = slots.LastOrDefault(slot => slot?.SnapshotChanged == true);
        if (changed is not null)
        {
            await _step.SaveSnapshotAsync(changed.Snapshot);
        }
    }

    /// <summary>Puts the message back in the inbox when its next try is due; the run's end accounts for it meanwhile.</summary>
    private void RetryLater(InboxEntry entry, DateTimeOffset due)
    {
        _waiting[entry.Message.Id] = entry;
        _ = RequeueAsync(entry, due);
    }

    private async Task RequeueAsync(InboxEntry entry, DateTimeOffset due)
    {
        try
        {
            await Task.Delay(Max(due - _step.Time.GetUtcNow(), TimeSpan.Zero), _step.Time, RunToken);
            if (_inbox.IsClosed || !_waiting.Remove(entry.Message.Id))
            {
                return; // the run's end accounts for it
            }

            await _inbox.EnqueueAsync(entry);
        }
        catch (OperationCanceledException)
        {
            // The run ended: it accounts for the messages still waiting.
        }
        catch (ObjectDisposedException)
        {
            // The inbox closed while the message waited for room.
            await AccountForAsync([entry],
                $"Step '{_step.StepId}' ended its run (the flow stopped, or the step moved) before it tried the message again; it was not processed. Send it again.");
        }
    }

    /// <summary>The messages still waiting for a retry, taken out (the run ends: they are accounted for).</summary>
    private InboxEntry[] TakeWaiting()
    {
        var waiting = _waiting.Values.ToArray();
        _waiting.Clear();
        return waiting;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

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
            // The error events still tell each execution when the books fail; only the dead letters' copies are missing.
            await _step.Streams.PublishEventsAsync(outputs, batched: true,
                e => LogDeadLettersLost(_step.Logger, _step.FlowId, _step.StepId, outputs.DeadLetters.Count, e));
        }
        catch (Exception e)
        {
            LogEventsLost(_step.Logger, _step.FlowId, _step.StepId, outputs.Events.Count, e);
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
            _retries.Forget(entry.Message.Id);
            _step.Deduplication.Abandon(entry.Message.Id);
            outputs.Fail(entry.Message, reason, Stopwatch.GetElapsedTime(entry.Received));
        }

        await PublishAsync(outputs);
        StepHopSpans.Unprocessed(_step.FlowId, _step.StepId, left.Count, outputs);
    }

    private string Describe(Exception e) => RunToken.IsCancellationRequested
        ? $"Step '{_step.StepId}' ended its run (the flow stopped or failed, or the step moved) while it processed the message; it may or may not have been processed."
        : _step.Describe(e, Plan, _container.Revision);

    [LoggerMessage(EventId = 1121, Level = LogLevel.Information, Message = "Flow {FlowId} step {StepId} tries message {MessageId} again at {Due:O} (after {Tries} failed tries; last: {Reason})")]
    private static partial void LogRetrying(ILogger logger, string flowId, string stepId, string messageId, int tries, DateTimeOffset due, string reason);

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

    [LoggerMessage(EventId = 1117, Level = LogLevel.Debug, Message = "Flow {FlowId} step {StepId}: inbox full ({Count} messages); the stream waits for room")]
    private static partial void LogWaitingForRoom(ILogger logger, string flowId, string stepId, int count);
}
