namespace FlowActors.Grains.Registries;

/// <summary>
/// The silos' copies subscribed to a cluster-wide registry grain (webhooks, credentials): each subscription lasts
/// <paramref name="lifetime"/> unless renewed, and a copy that does not answer a change in time is dropped (it finds the
/// change when it renews, by comparing versions). One per registry activation; its turns run one at a time.
/// </summary>
internal sealed class RegistryObservers<TObserver>(TimeProvider time, TimeSpan lifetime)
    where TObserver : class, IGrainObserver
{
    private static readonly TimeSpan NotifyTimeout = TimeSpan.FromSeconds(5);

    private readonly Dictionary<TObserver, DateTimeOffset> _observers = [];

    /// <summary>Whether a subscription is live: the registry keeps its activation while copies depend on it.</summary>
    public bool Any => _observers.Values.Any(until => until >= time.GetUtcNow());

    public void Subscribe(TObserver observer) => _observers[observer] = time.GetUtcNow() + lifetime;

    public void Unsubscribe(TObserver observer) => _observers.Remove(observer);

    /// <summary>Tells every live copy, all at once; those that fail or time out are dropped and reported to <paramref name="failed"/>.</summary>
    public async Task NotifyAsync(Func<TObserver, Task> notify, Action<Exception> failed)
    {
        var now = time.GetUtcNow();
        foreach (var expired in _observers.Where(o => o.Value < now).Select(o => o.Key).ToArray())
        {
            _observers.Remove(expired);
        }

        var unanswered = await Task.WhenAll(_observers.Keys.ToArray().Select(async observer =>
        {
            try
            {
                await notify(observer).WaitAsync(NotifyTimeout);
                return null;
            }
            catch (Exception e)
            {
                failed(e);
                return observer;
            }
        }));
        foreach (var observer in unanswered.OfType<TObserver>())
        {
            _observers.Remove(observer);
        }
    }
}
