using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Triggers;

/// <summary>
/// A trigger grain's state writes, one after the other: a tick's result and the next tick's bookkeeping are written from
/// interleaving turns, and a storage write must not start before the previous one has ended (its ETag would be stale).
/// Every write stores the whole current state, so the last one carries every change. A write refused for its ETag ends
/// the activation (<see cref="StateConflicts"/>): another one owns the trigger's state now.
/// </summary>
internal sealed class TriggerStateWriter<T>(IPersistentState<T> state, IGrainContext activation, ILogger logger)
{
    private Task _last = Task.CompletedTask;

    public T State => state.State;

    public Task WriteAsync()
    {
        var write = WriteAfterAsync(_last);
        _last = write;
        return write;
    }

    public async Task ClearAsync()
    {
        await _last.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        await state.ClearStateAsync();
    }

    private async Task WriteAfterAsync(Task previous)
    {
        // The previous write's failure is its caller's business; this one stores the current state anyway.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e) when (StateConflicts.EndActivationIfConflict(activation, e, logger))
        {
            throw;
        }
    }
}
