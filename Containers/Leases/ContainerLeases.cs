using System.Collections.Concurrent;
using FlowActors.Grains.Interfaces.Containers;

namespace FlowActors.Containers.Leases;

/// <summary>
/// The leases this silo's runtime handed out and when they expire: every runtime records here what it starts, renews
/// and stops, and the reaper is the one that acts on an expiry. Container labels cannot change after creation, so
/// renewals live here, in memory: a lease lives no longer than the silo that holds it; after a crash the reaper goes
/// by the owning silo's membership instead.
/// </summary>
public sealed class ContainerLeases
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);

    /// <summary>Records a lease that was started or renewed.</summary>
    public void Record(ContainerLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        _expiries[lease.LeaseId] = lease.ExpiresAt;
    }

    /// <summary>Marks a lease as run out, so that the reaper's next pass removes its container (a removal that failed).</summary>
    public void Expire(string leaseId) => _expiries[leaseId] = DateTimeOffset.MinValue;

    /// <summary>Forgets a lease whose container was stopped.</summary>
    public void End(string leaseId) => _expiries.TryRemove(leaseId, out _);

    /// <summary>False for a lease this silo does not know (another silo's, one being started, or one that ended).</summary>
    public bool TryGetExpiry(string leaseId, out DateTimeOffset expiresAt) => _expiries.TryGetValue(leaseId, out expiresAt);
}
