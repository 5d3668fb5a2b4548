using System.Collections.Concurrent;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using Orleans.Streams;

namespace FlowActors.Client.Events;

/// <summary>
/// Sends a message and waits for its execution's first reply: an HTTP reply, an output or an error.
/// One event subscription per flow serves every waiter, so waiting costs no extra stream per message; events are
/// handed to their waiter inside the stream delivery (no buffer, no reader task).
/// </summary>
internal sealed class FlowReplies : IAsyncDisposable
{
    private readonly IClusterClient _client;
    private readonly Func<string, Func<FlowEvent, Task>, Task<IAsyncDisposable>> _subscribe;
    private readonly ConcurrentDictionary<string, Lazy<Task<IAsyncDisposable>>> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Waiter> _waiters = new(StringComparer.Ordinal);

    public FlowReplies(IClusterClient client)
        : this(client, (flowId, onEvent) => SubscribeAsync(client, flowId, onEvent))
    {
    }

    /// <summary>With <paramref name="subscribe"/> in place of the stream subscription, for tests of failure paths.</summary>
    internal FlowReplies(IClusterClient client, Func<string, Func<FlowEvent, Task>, Task<IAsyncDisposable>> subscribe)
    {
        _client = client;
        _subscribe = subscribe;
    }

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="flowId"/> and returns the first event of its execution
    /// (or, with <paramref name="until"/>, the first that matches it), or null when none arrived within
    /// <paramref name="timeout"/> (the execution goes on regardless). A predicate that throws fails this wait only.
    /// </summary>
    public async Task<FlowEvent?> SendAndWaitAsync(
        string flowId, FlowMessage message, TimeSpan timeout, CancellationToken cancellationToken = default, Func<FlowEvent, bool>? until = null)
    {
        await EnsureSubscribedAsync(flowId).WaitAsync(cancellationToken);
        var waiter = new Waiter(until);
        if (!_waiters.TryAdd(message.ExecutionId, waiter))
        {
            throw new ArgumentException($"Execution '{message.ExecutionId}' is already being waited for; send a new message.", nameof(message));
        }

        try
        {
            await _client.GetGrain<IFlowGrain>(flowId).SendAsync(message);
            return await waiter.Reply.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            _waiters.TryRemove(message.ExecutionId, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions.Values.Where(s => s.IsValueCreated))
        {
            try
            {
                await (await subscription.Value).DisposeAsync();
            }
            catch (Exception e) when (e is SiloUnavailableException or OrleansMessageRejectionException or ObjectDisposedException)
            {
                // Shutting down together with the silo: the subscription goes with it.
            }
            catch (Exception) when (subscription.Value.IsFaulted)
            {
                // It never came about: nothing to end.
            }
        }

        _subscriptions.Clear();
    }

    private async Task EnsureSubscribedAsync(string flowId)
    {
        var subscription = _subscriptions.GetOrAdd(flowId, id => new Lazy<Task<IAsyncDisposable>>(() => _subscribe(id, OnEventAsync)));
        try
        {
            await subscription.Value;
        }
        catch
        {
            // Forget a failed subscription (only this one, not one a later caller made meanwhile), so that the next
            // wait tries again instead of failing for good.
            _subscriptions.TryRemove(KeyValuePair.Create(flowId, subscription));
            throw;
        }
    }

    private Task OnEventAsync(FlowEvent e)
    {
        if (_waiters.TryGetValue(e.ExecutionId, out var waiter))
        {
            waiter.Offer(e);
        }

        return Task.CompletedTask;
    }

    private static async Task<IAsyncDisposable> SubscribeAsync(IClusterClient client, string flowId, Func<FlowEvent, Task> onEvent)
    {
        var stream = client.GetStreamProvider(FlowStreams.Provider).GetStream<FlowEvent>(FlowStreams.EventsOf(flowId));
        var handle = await stream.SubscribeAsync((e, _) => onEvent(e));
        return new Unsubscribe(handle);
    }

    private sealed class Waiter(Func<FlowEvent, bool>? until)
    {
        private readonly TaskCompletionSource<FlowEvent> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<FlowEvent> Reply => _reply.Task;

        public void Offer(FlowEvent e)
        {
            try
            {
                if (until?.Invoke(e) ?? true)
                {
                    _reply.TrySetResult(e);
                }
            }
            catch (Exception exception)
            {
                // The caller's predicate failed: that caller hears of it; the subscription and other waiters go on.
                _reply.TrySetException(exception);
            }
        }
    }

    private sealed class Unsubscribe(StreamSubscriptionHandle<FlowEvent> handle) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await handle.UnsubscribeAsync();
    }
}
