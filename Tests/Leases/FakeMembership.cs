using System.Collections.Immutable;

namespace FlowActors.Tests.Leases;

/// <summary>
/// A fake of Orleans' membership service: a fixed snapshot of the members given, for reaper tests that need a cluster's
/// view without running one (the real-silo tests cover the real membership).
/// </summary>
internal sealed class FakeMembership(params (string Silo, SiloStatus Status)[] members) : IClusterMembershipService
{
    public ClusterMembershipSnapshot CurrentSnapshot { get; } = Snapshot(members);

    public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => throw new NotSupportedException();

    public static ClusterMembershipSnapshot Snapshot(params (string Silo, SiloStatus Status)[] members) => new(
        members.ToImmutableDictionary(
            m => SiloAddress.FromParsableString(m.Silo),
            m => new ClusterMember(SiloAddress.FromParsableString(m.Silo), m.Status, m.Silo)),
        new MembershipVersion(members.Length));

    public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);
}
