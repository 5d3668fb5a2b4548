using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace FlowActors.Containers.Leases;

/// <summary>
/// Who starts containers in this process: the cluster (<see cref="ClusterOptions.ClusterId"/>) and the silo (its
/// parsable <see cref="SiloAddress"/>, generation included, so that a restarted silo on the same endpoint is another
/// owner). Every runtime writes it into the labels of what it starts (<see cref="ContainerLabels.Create"/>); the reaper
/// compares it with Orleans' membership. Taken from the silo itself; a runtime used without a silo (a benchmark, a
/// runtime test) is given one explicitly.
/// </summary>
public sealed record ContainerOwner(string ClusterId, string Silo)
{
    /// <summary>The owner of a silo: its cluster id and its address.</summary>
    public static ContainerOwner Of(IOptions<ClusterOptions> cluster, ILocalSiloDetails silo)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(silo);
        return new ContainerOwner(cluster.Value.ClusterId, silo.SiloAddress.ToParsableString());
    }
}
