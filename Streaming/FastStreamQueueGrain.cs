using FlowActors.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace FlowActors.Streaming;

/// <summary>
/// An in-memory queue whose empty reads wait for the next enqueue instead of returning at once, which is what
/// lets a pulling agent deliver within microseconds without polling. <see cref="Dequeue"/> interleaves, so a
/// waiting read never blocks the enqueues that end it.
/// </summary>
// Pulling agents start reading as their silo starts, before producers send anything, so the first caller is
// nearly always the agent that owns the queue: placing the grain there keeps the long poll a local call and
// leaves one remote hop (producer → queue) on the path of a message.
[PreferLocalPlacement]
internal sealed partial class FastStreamQueueGrain(
    IOptionsMonitor<FastStreamsOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<FastStreamQueueGrain> logger) : Grain, IFastStreamQueueGrain
{
    // Messages handed to the current reader and not yet acknowledged come first, then those never handed out.
    private readonly Queue<FastStreamMessage> _handedOut = new();
    private Queue<FastStreamMessage> _ready = new();

    // Ticks at activation: a re-activated queue keeps numbering above what an agent's cache may still hold.
    private long _nextSequenceNumber = DateTime.UtcNow.Ticks;
    private Guid _reader;
    private TaskCompletionSource? _waiter;
    private int _maxQueueLength;
    private IDisposable? _lengthGauge;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _maxQueueLength = options.Get(key[..Math.Max(0, key.LastIndexOf('/'))]).MaxQueueLength;

        // Read when metrics are collected, off the grain's turn: two counts, a stale one now and then does no harm.
        _lengthGauge = FlowMetrics.TrackStreamQueue(key, () => _handedOut.Count + _ready.Count);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _lengthGauge?.Dispose();
        return Task.CompletedTask;
    }

    public Task Enqueue(FastStreamMessage message)
    {
        if (_handedOut.Count + _ready.Count >= _maxQueueLength)
        {
            LogQueueFull(logger, this.GetPrimaryKeyString(), _maxQueueLength);
            throw new InvalidOperationException(
                $"Fast-streams queue '{this.GetPrimaryKeyString()}' holds {_maxQueueLength} messages, its maximum: its consumers " +
                $"are not keeping up. Retry later, or raise {nameof(FastStreamsOptions)}.{nameof(FastStreamsOptions.MaxQueueLength)} " +
                $"or {nameof(FastStreamsOptions.QueueCount)}.");
        }

        _ready.Enqueue(message with { SequenceNumber = _nextSequenceNumber++ });
        _waiter?.TrySetResult();
        return Task.CompletedTask;
    }

    public async Task<List<FastStreamMessage>> Dequeue(Guid reader, long acknowledgedUpTo, int maxCount, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        Acknowledge(acknowledgedUpTo);
        if (reader != _reader)
        {
            // A new reader (another agent after rebalancing, or one whose earlier read was lost) starts at the
            // oldest unacknowledged message: duplicates are possible then, losses are not.
            _reader = reader;
            Rewind();
        }

        if (_ready.Count == 0)
        {
            await WaitForEnqueueAsync(maxWait, cancellationToken);
        }

        // A superseded or cancelled read takes nothing: whatever it took could never be delivered.
        if (reader != _reader || cancellationToken.IsCancellationRequested)
        {
            return [];
        }

        var count = Math.Min(maxCount, _ready.Count);
        var batch = new List<FastStreamMessage>(count);
        for (var i = 0; i < count; i++)
        {
            var message = _ready.Dequeue();
            _handedOut.Enqueue(message);
            batch.Add(message);
        }

        return batch;
    }

    Task IFastStreamQueueGrain.Acknowledge(long acknowledgedUpTo)
    {
        Acknowledge(acknowledgedUpTo);
        return Task.CompletedTask;
    }

    private void Acknowledge(long acknowledgedUpTo)
    {
        while (_handedOut.TryPeek(out var message) && message.SequenceNumber <= acknowledgedUpTo)
        {
            _handedOut.Dequeue();
        }

        // After a rewind an older reader's acknowledgement can cover messages that went back to the ready queue.
        while (_ready.TryPeek(out var message) && message.SequenceNumber <= acknowledgedUpTo)
        {
            _ready.Dequeue();
        }
    }

    private void Rewind()
    {
        if (_handedOut.Count == 0)
        {
            return;
        }

        var ready = new Queue<FastStreamMessage>(_handedOut.Count + _ready.Count);
        foreach (var message in _handedOut.Concat(_ready))
        {
            ready.Enqueue(message);
        }

        _handedOut.Clear();
        _ready = ready;
    }

    private async Task WaitForEnqueueAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        // One reader waits at a time; a newer read releases the older one, which then returns nothing.
        _waiter?.TrySetResult();
        var waiter = _waiter = new TaskCompletionSource();

        // A stopping silo deactivates this grain only once its requests have finished, and the read of an agent on
        // another silo would hold it for the whole wait: the silo's stop ends the wait too.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        timeout.CancelAfter(maxWait);
        using (timeout.Token.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetResult(), waiter))
        {
            await waiter.Task;
        }

        if (_waiter == waiter)
        {
            _waiter = null;
        }
    }

    [LoggerMessage(EventId = 3151, Level = LogLevel.Warning, Message = "Fast-streams queue {Queue} is full ({MaxQueueLength} messages); refusing an enqueue")]
    private static partial void LogQueueFull(ILogger logger, string queue, int maxQueueLength);
}
