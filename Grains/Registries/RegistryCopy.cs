namespace FlowActors.Grains.Registries;

/// <summary>
/// Keeps a silo's copy of a cluster-wide registry (webhooks, credentials) subscribed and current: subscribe, then catch
/// up if the registry's version is not the copy's (a change made in between is either in what is loaded or told
/// afterwards); renew at a sixth of the subscription's lifetime, or at once when the copy is woken (it saw a gap in the
/// versions it was told), every second until the first load succeeds; unsubscribe when the silo stops.
/// </summary>
public static class RegistryCopy
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

    public static async Task KeepCurrentAsync<TObserver>(
        IGrainFactory grains,
        TObserver copy,
        TimeSpan lifetime,
        SemaphoreSlim wake,
        Func<bool> loaded,
        Func<TObserver, Task<long>> subscribe,
        Func<long, Task> catchUp,
        Func<TObserver, Task> unsubscribe,
        Action<Exception> failed,
        CancellationToken stoppingToken)
        where TObserver : class, IGrainObserver
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(wake);
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(subscribe);
        ArgumentNullException.ThrowIfNull(catchUp);
        ArgumentNullException.ThrowIfNull(unsubscribe);
        ArgumentNullException.ThrowIfNull(failed);
        var self = grains.CreateObjectReference<TObserver>(copy);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await catchUp(await subscribe(self));
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    failed(e);
                }

                try
                {
                    await wake.WaitAsync(loaded() ? lifetime / 6 : RetryEvery, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            try
            {
                await unsubscribe(self).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
            }
            catch (Exception e)
            {
                failed(e); // the subscription expires by itself
            }

            grains.DeleteObjectReference<TObserver>(self);
        }
    }
}
