using System.Collections.Concurrent;
using FlowActors.Grains.Interfaces.Containers;

namespace FlowActors.Containers;

/// <summary>
/// The leases this silo handed out and when they expire. Container labels cannot change after creation, so
/// renewals are recorded here (in memory: a lease lives no longer than the silo that holds it; after a crash the
/// reaper on another silo goes by the owning silo's membership instead).
/// </summary>
public sealed class ContainerLeases
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);

    public void Record(ContainerLease lease) => _expiries[lease.LeaseId] = lease.ExpiresAt;

    public void End(string leaseId) => _expiries.TryRemove(leaseId, out _);

    /// <summary>False for a lease this silo does not know (another silo's, or one that ended).</summary>
    public bool TryGetExpiry(string leaseId, out DateTimeOffset expiresAt) => _expiries.TryGetValue(leaseId, out expiresAt);
}
