using System.Runtime.CompilerServices;

namespace FlowActors.Client.Events;

/// <summary>
/// What <see cref="IFlowActorsClient.FollowAsync"/> returns: a subscription that starts when the follower is created
/// and is read once. The first <c>MoveNextAsync</c> waits for the subscription (and throws if it failed); ending the
/// enumeration, or cancelling the token given at creation, ends the subscription.
/// </summary>
internal sealed class FlowFollower : IAsyncEnumerable<FlowEvent>
{
    private readonly Task<FlowEventSubscription> _subscribing;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _registration;
    private int _enumerated;
    private int _ended;

    public FlowFollower(Task<FlowEventSubscription> subscribing, CancellationToken cancellationToken)
    {
        _subscribing = subscribing;
        _cancellationToken = cancellationToken;

        // A follower that is never enumerated would hold its subscription for ever: cancelling ends it too. The
        // registration is disposed when the follower ends, so a long-lived token does not keep ended followers alive.
        _registration = cancellationToken.Register(static follower => _ = ((FlowFollower)follower!).EndAsync(), this);
    }

    /// <summary>Completes once the subscription is in place (or failed): events published after that are delivered.</summary>
    public Task<FlowEventSubscription> Subscribed => _subscribing;

    public IAsyncEnumerator<FlowEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) == 1)
        {
            throw new InvalidOperationException("The events of a FollowAsync call can be read once; call FollowAsync again to follow again.");
        }

        return ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    private async IAsyncEnumerable<FlowEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken, cancellationToken);
        IAsyncEnumerator<FlowEvent>? events = null;
        try
        {
            events = (await _subscribing.WaitAsync(stop.Token)).ReadAllAsync(stop.Token).GetAsyncEnumerator(stop.Token);
            while (true)
            {
                try
                {
                    if (!await events.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    yield break; // following ends quietly when the caller stops it
                }

                yield return events.Current;
            }
        }
        finally
        {
            if (events is not null)
            {
                await events.DisposeAsync();
            }

            await EndAsync();
        }
    }

    private async Task EndAsync()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
        {
            return;
        }

        await _registration.DisposeAsync();
        try
        {
            await (await _subscribing).DisposeAsync();
        }
        catch (Exception)
        {
            // The subscription never came about: nothing to end. The reader saw the failure on its first MoveNextAsync.
        }
    }
}
