using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;
using Orleans.Serialization;
using Orleans.Streams;

namespace FlowActors.Streaming;

/// <summary>
/// Reads one queue for its pulling agent. A read of an empty queue waits in the queue grain until an enqueue or
/// <see cref="FastStreamsOptions.MaxWait"/>, so an idle agent makes one call per wait instead of one per timer tick.
/// </summary>
/// <remarks>
/// The agent never overlaps reads and puts no timeout on them, and stopping a silo awaits the pending read: the
/// wait is bounded here, and both the agent's token and <see cref="Shutdown(TimeSpan)"/> end it at once.
/// </remarks>
internal sealed partial class FastStreamReceiver(
    IFastStreamQueueGrain queue,
    QueueId queueId,
    FastStreamsOptions options,
    Serializer<FastStreamPayload> serializer,
    ILogger logger) : IQueueAdapterReceiver
{
    private readonly CancellationTokenSource _shutdown = new();

    // Identifies this reader to the queue grain; a fresh one makes the grain hand out unacknowledged messages again.
    private Guid _reader = Guid.NewGuid();

    // The last message returned to the agent (which has cached it); the next read acknowledges it to the grain.
    private long _acknowledgedUpTo = long.MinValue;
    private long _acknowledgedToGrain = long.MinValue;

    public Task Initialize(TimeSpan timeout) => Task.CompletedTask;

    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || _shutdown.IsCancellationRequested)
        {
            return [];
        }

        var count = maxCount <= 0 ? options.BatchSize : Math.Min(maxCount, options.BatchSize);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        List<FastStreamMessage> messages;
        try
        {
            // The token travels with the call (the grain's wait ends) and also ends the local await, should the
            // queue's silo be gone and the call never answered.
            messages = await queue.Dequeue(_reader, _acknowledgedUpTo, count, options.MaxWait, stop.Token).WaitAsync(stop.Token);
            _acknowledgedToGrain = _acknowledgedUpTo;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            StartOver();
            return [];
        }
        catch (Exception exception)
        {
            // The grain may have handed out messages whose answer was lost: read them again.
            StartOver();
            LogReadFailed(logger, queueId.ToString(), exception);
            throw;
        }

        if (stop.IsCancellationRequested)
        {
            // The agent drops what a read returns once it is stopping; leave the messages to the next reader.
            StartOver();
            return [];
        }

        if (messages.Count == 0)
        {
            return [];
        }

        var batches = new List<IBatchContainer>(messages.Count);
        foreach (var message in messages)
        {
            var payload = serializer.Deserialize(message.Payload)!;
            batches.Add(new FastStreamBatchContainer(message.StreamId, new EventSequenceTokenV2(message.SequenceNumber), payload));
        }

        _acknowledgedUpTo = messages[^1].SequenceNumber;
        return batches;
    }

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => Task.CompletedTask;

    public async Task Shutdown(TimeSpan timeout)
    {
        await _shutdown.CancelAsync();
        if (_acknowledgedUpTo != _acknowledgedToGrain)
        {
            // Without this the next owner of the queue would get the last batch again.
            try
            {
                await queue.Acknowledge(_acknowledgedUpTo).WaitAsync(timeout);
            }
            catch (Exception exception)
            {
                LogAcknowledgeFailed(logger, queueId.ToString(), exception);
            }
        }
    }

    private void StartOver() => _reader = Guid.NewGuid();

    [LoggerMessage(EventId = 3152, Level = LogLevel.Warning, Message = "Reading fast-streams queue {Queue} failed; the agent retries")]
    private static partial void LogReadFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(EventId = 3153, Level = LogLevel.Information, Message = "Could not acknowledge the last read of fast-streams queue {Queue} on shutdown; its next reader may get that batch again")]
    private static partial void LogAcknowledgeFailed(ILogger logger, string queue, Exception exception);
}
