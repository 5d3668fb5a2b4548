using System.Runtime.CompilerServices;
using System.Threading.Channels;
using FlowActors.Grains.Interfaces.Messages;
using Orleans.Streams;

namespace FlowActors.Client.Events;

/// <summary>
/// Follows one flow's events (outputs, errors, HTTP replies) as they happen. Events are buffered from the moment of
/// subscription until read, up to a capacity: a reader that falls further behind gets what was buffered, then a
/// <see cref="FollowOverflowException"/>, rather than the buffer growing without bound or events going missing silently.
/// </summary>
internal sealed class FlowEventSubscription : IAsyncDisposable
{
    /// <summary>Events buffered for a reader that has not caught up, by default.</summary>
    public const int DefaultCapacity = 1000;

    private readonly Channel<FlowEvent> _events;
    private readonly string _flowId;
    private readonly int _capacity;
    private StreamSubscriptionHandle<FlowEvent>? _handle;

    private FlowEventSubscription(string flowId, int capacity)
    {
        _flowId = flowId;
        _capacity = capacity;
        _events = Channel.CreateBounded<FlowEvent>(new BoundedChannelOptions(capacity) { SingleReader = true });
    }

    /// <summary>True once an event found the buffer full: the reader gets what is buffered, then the overflow.</summary>
    internal bool Overflowed { get; private set; }

    /// <summary>Subscribes to the events of <paramref name="flowId"/>.</summary>
    public static async Task<FlowEventSubscription> SubscribeAsync(IClusterClient client, string flowId, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        var subscription = new FlowEventSubscription(flowId, capacity);
        var stream = client.GetStreamProvider(FlowStreams.Provider).GetStream<FlowEvent>(FlowStreams.EventsOf(flowId));
        subscription._handle = await stream.SubscribeAsync((e, _) => subscription.OnNextAsync(e));
        return subscription;
    }

    /// <summary>Events in the order they arrived, until cancelled or disposed.</summary>
    public async IAsyncEnumerable<FlowEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in _events.Reader.ReadAllAsync(cancellationToken))
        {
            yield return e;
        }
    }

    /// <summary>Reads until <paramref name="count"/> events matched <paramref name="match"/>, or throws <see cref="TimeoutException"/>.</summary>
    public async Task<IReadOnlyList<FlowEvent>> WaitForAsync(int count, Func<FlowEvent, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var found = new List<FlowEvent>(count);
        try
        {
            await foreach (var e in ReadAllAsync(cts.Token))
            {
                if (match(e))
                {
                    found.Add(e);
                    if (found.Count == count)
                    {
                        return found;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }

        throw new TimeoutException($"Waited {timeout.TotalSeconds:0.#} s for {count} matching events; {found.Count} arrived.");
    }

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        if (Interlocked.Exchange(ref _handle, null) is { } handle)
        {
            try
            {
                await handle.UnsubscribeAsync();
            }
            catch (Exception e) when (e is ObjectDisposedException or SiloUnavailableException or OrleansMessageRejectionException)
            {
                // The cluster client or the silo stopped first (a host stops them before disposing its services):
                // the subscription is gone with them.
            }
        }
    }

    // Never waits: a stream delivery that blocked on a slow reader would hold up the flow's other subscribers.
    private Task OnNextAsync(FlowEvent e)
    {
        if (!_events.Writer.TryWrite(e) && _events.Writer.TryComplete(new FollowOverflowException(_flowId, _capacity)))
        {
            Overflowed = true;
        }

        return Task.CompletedTask;
    }
}
