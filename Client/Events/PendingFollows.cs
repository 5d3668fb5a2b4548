using System.Collections.Concurrent;

namespace FlowActors.Client.Events;

/// <summary>
/// Follow subscriptions of this client still being set up, by flow. A send through the same client waits for those of
/// its flow first, so that "follow, then send" never misses the events of what was sent.
/// </summary>
internal sealed class PendingFollows
{
    private readonly ConcurrentDictionary<Task, string> _pending = new();

    public void Add(string flowId, Task subscribing)
    {
        if (subscribing.IsCompleted)
        {
            return;
        }

        _pending[subscribing] = flowId;
        _ = subscribing.ContinueWith(t => _pending.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Completes when every subscription to <paramref name="flowId"/> pending now is in place or failed.</summary>
    public Task WaitAsync(string flowId, CancellationToken cancellationToken)
    {
        if (_pending.IsEmpty)
        {
            return Task.CompletedTask;
        }

        var tasks = _pending.Where(p => p.Value == flowId).Select(p => p.Key).ToArray();
        return tasks.Length == 0 ? Task.CompletedTask : WaitAllAsync(tasks, cancellationToken);
    }

    private static async Task WaitAllAsync(Task[] tasks, CancellationToken cancellationToken) =>
        // A follower whose subscription failed hears of it itself; the send goes ahead.
        await Task.WhenAll(tasks).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
}
