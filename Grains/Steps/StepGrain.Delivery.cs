using System.Diagnostics;
using FlowActors.Client;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace FlowActors.Grains.Steps;

/// <summary>
/// How a step takes the messages its input stream delivers: the current run takes each (starting or joining one when
/// there is none), duplicates are dropped, and a message the step cannot take is remembered until the stream delivers
/// it again or gives up, when its execution gets an error event.
/// </summary>
public sealed partial class StepGrain
{
    /// <summary>
    /// The stream delivery of one message: the current run takes it (a real-time one queues it, an ordinary one
    /// processes it). Without a run the step asks its flow for the plan, which also takes a real-time run up again after
    /// the step lost its activation; when the flow runs no more, the message gets an error event.
    /// </summary>
    private Task OnStreamMessageAsync(FlowMessage message, StreamSequenceToken? token)
    {
        if (!_step.Deduplication.TryBegin(message.Id))
        {
            return DropDuplicateAsync(message);
        }

        var entry = new InboxEntry(message, Stopwatch.GetTimestamp());
        if (_runner is { } runner && state.State.Undelivered is null)
        {
            var delivery = runner.OnMessageAsync(entry);
            return delivery.IsCompletedSuccessfully ? delivery : DeliverAsync(entry, runner, delivery);
        }

        return DeliverAsync(entry, null, null);
    }

    /// <param name="runner">The run that already took the message in hand, or null.</param>
    /// <param name="started">What that run made of it so far.</param>
    private async Task DeliverAsync(InboxEntry entry, IStepRunner? runner, Task? started)
    {
        try
        {
            while (true)
            {
                if (started is null)
                {
                    runner = _runner ?? await RunAsync(await AskFlowAsync());
                    if (runner is null)
                    {
                        _step.Deduplication.Abandon(entry.Message.Id);
                        await RefuseAsync(entry.Message,
                            $"Step '{StepId}' received a message while flow '{FlowId}' is not running; the message was not processed. Start the flow and send it again.");
                        break;
                    }

                    started = runner.OnMessageAsync(entry);
                }

                try
                {
                    await started;
                    break;
                }
                catch (ObjectDisposedException) when (!ReferenceEquals(runner, _runner))
                {
                    // Its run ended while the message waited for room: the current run takes it, or refuses it.
                    started = null;
                }
            }
        }
        catch (Exception e)
        {
            // The stream delivers it again; if it gives up, OnStreamErrorAsync tells the execution's caller.
            LogDeliveryFailed(logger, FlowId, StepId, entry.Message.ExecutionId, e.Message);
            _step.Deduplication.Abandon(entry.Message.Id);
            await SaveUndeliveredAsync(entry.Message, e.Message);
            throw;
        }

        if (state.State.Undelivered is not null)
        {
            await SaveUndeliveredAsync(null, null); // delivered at last
        }
    }

    /// <summary>The stream gave up delivering a message after its retries: its caller learns of it.</summary>
    private async Task OnStreamErrorAsync(Exception exception)
    {
        if (state.State.Undelivered is { } message)
        {
            LogDeliveryGivenUp(logger, FlowId, StepId, message.ExecutionId, exception.Message);
            await RefuseAsync(message,
                $"Step '{StepId}' could not take the message ({state.State.UndeliveredReason}), and its stream gave up delivering it: {exception.Message}");
            await SaveUndeliveredAsync(null, null);
        }
    }

    private async Task SaveUndeliveredAsync(FlowMessage? message, string? reason)
    {
        try
        {
            await _step.State.SaveUndeliveredAsync(message, reason);
        }
        catch (Exception e)
        {
            // Kept in memory all the same; only another activation would not know of it.
            LogUndeliveredNotSaved(logger, FlowId, StepId, e);
        }
    }

    /// <summary>
    /// A message the step has in hand or completed came again (the stream timed out its delivery, or a publisher
    /// retried): it is dropped, and counted with the step's outputs.
    /// </summary>
    private Task DropDuplicateAsync(FlowMessage message)
    {
        LogDuplicateDropped(logger, FlowId, StepId, message.Id, message.ExecutionId);
        var outputs = _step.NewOutputs();
        outputs.DuplicatesDropped = 1;
        return _step.Streams.PublishEventsAsync(outputs, batched: false); // records it in the flow's counters
    }

    private async Task RefuseAsync(FlowMessage message, string error)
    {
        var outputs = _step.NewOutputs();
        outputs.Fail(message, error, TimeSpan.Zero);
        await _step.Streams.PublishEventsAsync(outputs, batched: false);
    }

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId}: the stream gave up delivering execution {ExecutionId} ({Reason}); it gets an error event")]
    private static partial void LogDeliveryGivenUp(ILogger logger, string flowId, string stepId, string executionId, string reason);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not take execution {ExecutionId} ({Reason}); its stream delivers it again")]
    private static partial void LogDeliveryFailed(ILogger logger, string flowId, string stepId, string executionId, string reason);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Debug, Message = "Flow {FlowId} step {StepId} dropped a duplicate of message {MessageId} (execution {ExecutionId})")]
    private static partial void LogDuplicateDropped(ILogger logger, string flowId, string stepId, string messageId, string executionId);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId} could not store which message it failed to take")]
    private static partial void LogUndeliveredNotSaved(ILogger logger, string flowId, string stepId, Exception exception);
}
