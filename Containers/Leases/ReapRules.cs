namespace FlowActors.Containers.Leases;

/// <summary>What the reaper does with one container of its cluster.</summary>
public enum ReapAction
{
    /// <summary>Its holder is alive (or may be): leave it.</summary>
    Keep,

    /// <summary>Its cluster provably abandoned it: remove it once it has looked so for the grace period.</summary>
    Reap,

    /// <summary>Its owner cannot be judged from this cluster's membership: leave it, and say so once.</summary>
    Unknown,
}

/// <summary>The reaper's verdict on a container, with the reason it logs.</summary>
public readonly record struct ReapVerdict(ReapAction Action, string Reason)
{
    public static ReapVerdict Keep { get; } = new(ReapAction.Keep, "");
}

/// <summary>
/// Which containers the reaper removes: only what its own cluster provably abandoned. Pure, so that every rule is
/// tested against a membership snapshot without a cluster.
/// <list type="number">
/// <item>This silo's own container whose lease (in <see cref="ContainerLeases"/>) expired: its holder stopped renewing.</item>
/// <item>A container whose owning silo is <see cref="SiloStatus.Dead"/> in this cluster's membership.</item>
/// <item>A container whose owning silo has the endpoint of a member of this cluster (this silo included) with a newer
/// generation: the silo restarted there, so its predecessor is gone — an endpoint is held by one process at a time, and
/// every silo that uses one engine shares its host's network (components run with host networking on loopback).</item>
/// </list>
/// Never removed: a container whose owner the membership does not know (<see cref="SiloStatus.None"/>: another cluster
/// with the same id on the same engine, or a silo that joined a moment ago), one whose owner label does not parse, and
/// this silo's own containers whose lease it does not know (being started or stopped right now).
/// </summary>
public static class ReapRules
{
    public static ReapVerdict Judge(
        IReadOnlyDictionary<string, string> labels, ContainerOwner owner, ClusterMembershipSnapshot membership, ContainerLeases leases, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(leases);
        var silo = labels.GetValueOrDefault(ContainerLabels.Silo);
        if (silo == owner.Silo)
        {
            return labels.GetValueOrDefault(ContainerLabels.Lease) is { } lease && leases.TryGetExpiry(lease, out var expiresAt) && expiresAt < now
                ? new(ReapAction.Reap, $"its lease {lease} expired at {expiresAt:O} without renewal")
                : ReapVerdict.Keep;
        }

        if (!SiloAddress.TryParse(silo, out var address))
        {
            return new(ReapAction.Unknown, $"its owning silo label '{silo}' is not a silo address, so this cluster cannot tell whether its owner lives");
        }

        if (membership.Members.TryGetValue(address, out var member))
        {
            return member.Status == SiloStatus.Dead
                ? new(ReapAction.Reap, $"its owning silo {silo} is dead in this cluster's membership")
                : ReapVerdict.Keep;
        }

        if (membership.Members.Keys.FirstOrDefault(successor => successor.IsSuccessorOf(address)) is { } restarted)
        {
            return new(ReapAction.Reap, $"its owning silo {silo} restarted as {restarted.ToParsableString()} on the same endpoint");
        }

        return new(ReapAction.Unknown, $"its owning silo {silo} is not in this cluster's membership (another cluster with the same id, or a silo that just joined)");
    }
}
