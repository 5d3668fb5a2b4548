using FlowActors.Client;

namespace FlowActors.Grains.Steps;

/// <summary>A message waiting in a <see cref="StepInbox"/>, with the time it arrived (its hop timing starts there).</summary>
internal readonly record struct InboxEntry(FlowMessage Message, long Received);

/// <summary>
/// A real-time step's bounded queue of received messages and the pump that drains it in batches. The stream handler
/// only enqueues (and waits while the inbox is full, which holds the stream back: back-pressure), so the step takes
/// the next messages while a component call is in flight and the next call carries all of them.
/// </summary>
/// <remarks>
/// Not thread-safe, by design: it lives in a grain activation, and the pump is started from a grain turn, so every
/// continuation runs on the activation's scheduler. At most one pump runs at a time, which keeps batches (and so
/// messages) in arrival order.
/// </remarks>
/// <param name="maxBatchSize">The most messages the next batch may take (it may change from one batch to the next).</param>
/// <param name="maxBatchBytes">Most body characters per batch; a batch always takes at least one message.</param>
internal sealed class StepInbox(int capacity, Func<int> maxBatchSize, int maxBatchBytes, Func<IReadOnlyList<InboxEntry>, Task> processBatch)
{
    private static readonly CancellationToken NoDrain = new(canceled: true);

    private readonly Queue<InboxEntry> _queue = new(Math.Min(capacity, 1024));
    private TaskCompletionSource? _space;
    private Task? _pump;
    private bool _closed;
    private CancellationToken _drainUntil = NoDrain;

    public int Count => _queue.Count;

    /// <summary>Takes no more entries (<see cref="CloseAsync()"/> was called).</summary>
    public bool IsClosed => _closed;

    /// <summary>
    /// Queues <paramref name="entry"/>; completes at once unless the inbox is full. Then it waits for room, at most until
    /// <paramref name="cancellationToken"/> fires (<see cref="OperationCanceledException"/>).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The inbox was closed, before or while waiting: the entry was not queued.</exception>
    public async ValueTask EnqueueAsync(InboxEntry entry, CancellationToken cancellationToken = default)
    {
        while (_queue.Count >= capacity && !_closed)
        {
            _space ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await _space.Task.WaitAsync(cancellationToken);
        }

        ObjectDisposedException.ThrowIf(_closed, this);
        _queue.Enqueue(entry);
        _pump ??= PumpAsync();
    }

    /// <summary>
    /// Takes no more entries and no more batches: waits for the batch in progress, then hands back what was still
    /// queued, in order, for the caller to account for.
    /// </summary>
    public Task<IReadOnlyList<InboxEntry>> CloseAsync() => CloseAsync(NoDrain);

    /// <summary>
    /// Takes no more entries but goes on processing what is queued until it is empty or <paramref name="drainUntil"/>
    /// fires; then hands back what is left, in order.
    /// </summary>
    public async Task<IReadOnlyList<InboxEntry>> CloseAsync(CancellationToken drainUntil)
    {
        _closed = true;
        _drainUntil = drainUntil;
        ReleaseWaiter(); // senders waiting for room learn at once that there will be none
        if (_pump is { } pump)
        {
            await pump;
        }

        var left = _queue.ToArray();
        _queue.Clear();
        return left;
    }

    private async Task PumpAsync()
    {
        // Yield first, so that the enqueue that started the pump returns to the stream before the first call starts.
        await Task.Yield();
        try
        {
            while (_queue.Count > 0 && (!_closed || !_drainUntil.IsCancellationRequested))
            {
                var batch = TakeBatch();

                ReleaseWaiter();
                await processBatch(batch);
            }
        }
        finally
        {
            _pump = null;
        }
    }

    private List<InboxEntry> TakeBatch()
    {
        var limit = Math.Max(1, maxBatchSize());
        var batch = new List<InboxEntry>(Math.Min(_queue.Count, limit));
        long characters = 0;
        while (_queue.TryPeek(out var next) && batch.Count < limit)
        {
            characters += next.Message.Body.Length;
            if (batch.Count > 0 && characters > maxBatchBytes)
            {
                break;
            }

            batch.Add(_queue.Dequeue());
        }

        return batch;
    }

    private void ReleaseWaiter()
    {
        var space = _space;
        _space = null;
        space?.TrySetResult();
    }
}
