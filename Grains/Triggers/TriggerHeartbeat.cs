namespace FlowActors.Grains.Triggers;

/// <summary>
/// A trigger grain's reminder. A grain timer does the trigger's work, but a timer dies with its activation; the
/// reminder outlives it (a silo lost, the grain collected) and wakes the trigger again on whichever silo it lands.
/// Registered once per activation, since a reminder write is a storage write.
/// </summary>
internal sealed class TriggerHeartbeat(string reminder, TimeSpan period)
{
    private bool _registered;

    /// <summary>A tick of the reminder proves it is registered.</summary>
    public void Ticked() => _registered = true;

    public async Task EnsureAsync(Grain grain)
    {
        if (!_registered)
        {
            await grain.RegisterOrUpdateReminder(reminder, period, period);
            _registered = true;
        }
    }

    /// <summary>Unregisters the reminder; a failure goes to <paramref name="notRemoved"/>, and the reminder left behind
    /// finds nothing to do at its next tick and tries again.</summary>
    public async Task RemoveAsync(Grain grain, Action<Exception> notRemoved)
    {
        _registered = false;
        try
        {
            if (await grain.GetReminder(reminder) is { } registered)
            {
                await grain.UnregisterReminder(registered);
            }
        }
        catch (Exception e)
        {
            notRemoved(e);
        }
    }
}
