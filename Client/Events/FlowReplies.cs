using System.Collections.Concurrent;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;

namespace FlowActors.Client.Events;

/// <summary>
/// Sends a message and waits for its execution's first reply: an HTTP reply, an output or an error.
/// One event subscription per flow serves every waiter, so waiting costs no extra stream per message.
/// </summary>
public sealed class FlowReplies(IClusterClient client) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<FlowEventSubscription>>> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Waiter> _waiters = new(StringComparer.Ordinal);

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="flowId"/> and returns the first event of its execution
    /// (or, with <paramref name="until"/>, the first that matches it), or null when none arrived within
    /// <paramref name="timeout"/> (the execution goes on regardless).
    /// </summary>
    public async Task<FlowEvent?> SendAndWaitAsync(
        string flowId, FlowMessage message, TimeSpan timeout, CancellationToken cancellationToken = default, Func<FlowEvent, bool>? until = null)
    {
        await EnsureSubscribedAsync(flowId);
        var waiter = new Waiter(new TaskCompletionSource<FlowEvent>(TaskCreationOptions.RunContinuationsAsynchronously), until);
        if (!_waiters.TryAdd(message.ExecutionId, waiter))
        {
            throw new ArgumentException($"Execution '{message.ExecutionId}' is already being waited for; send a new message.", nameof(message));
        }

        try
        {
            await client.GetGrain<IFlowGrain>(flowId).SendAsync(message);
            return await waiter.Reply.Task.WaitAsync(timeout, cancellationToken);
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

    private Task<FlowEventSubscription> EnsureSubscribedAsync(string flowId) =>
        _subscriptions.GetOrAdd(flowId, id => new Lazy<Task<FlowEventSubscription>>(() => SubscribeAsync(id))).Value;

    private async Task<FlowEventSubscription> SubscribeAsync(string flowId)
    {
        var subscription = await FlowEventSubscription.SubscribeAsync(client, flowId);
        _ = Task.Run(async () =>
        {
            await foreach (var e in subscription.ReadAllAsync())
            {
                if (_waiters.TryGetValue(e.ExecutionId, out var waiter) && (waiter.Until?.Invoke(e) ?? true))
                {
                    _waiters.TryRemove(e.ExecutionId, out _);
                    waiter.Reply.TrySetResult(e);
                }
            }
        });
        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions.Values.Where(s => s.IsValueCreated))
        {
            try
            {
                await (await subscription.Value).DisposeAsync();
            }
            catch (Exception e) when (e is SiloUnavailableException or OrleansMessageRejectionException)
            {
                // Shutting down together with the silo: the subscription goes with it.
            }
        }

        _subscriptions.Clear();
    }

    private sealed record Waiter(TaskCompletionSource<FlowEvent> Reply, Func<FlowEvent, bool>? Until);
}
