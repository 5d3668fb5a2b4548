using FlowActors.Grains.Interfaces.Webhooks;

namespace FlowActors.Grains.Webhooks;

/// <summary>
/// Remembers one flow's accepted signatures until they expire. In memory: a signature only needs remembering while
/// its timestamp is within the tolerance window, and the activation is kept at least that long. A silo crash forgets
/// them (the window's signatures could then be replayed once), which docs/security.md states.
/// </summary>
public sealed class WebhookReplayGuardGrain(TimeProvider time) : Grain, IWebhookReplayGuardGrain
{
    /// <summary>Most signatures one flow remembers: with the default per-flow rate limit, far more than one window holds.</summary>
    public const int Capacity = 200_000;

    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _expiries = new();

    public Task<ReplayCheck> TryRememberAsync(string signature, DateTimeOffset until)
    {
        var now = time.GetUtcNow();
        while (_expiries.TryPeek(out var oldest, out var expires) && expires <= now)
        {
            _expiries.Dequeue();
            _seen.Remove(oldest);
        }

        if (_seen.ContainsKey(signature))
        {
            return Task.FromResult(ReplayCheck.Replayed);
        }

        if (_seen.Count >= Capacity)
        {
            return Task.FromResult(ReplayCheck.Full);
        }

        _seen[signature] = until;
        _expiries.Enqueue(signature, until);
        if (until > now)
        {
            DelayDeactivation(until - now);
        }

        return Task.FromResult(ReplayCheck.Fresh);
    }
}
