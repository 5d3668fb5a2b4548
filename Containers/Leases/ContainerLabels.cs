using System.Globalization;

namespace FlowActors.Containers.Leases;

/// <summary>Labels every FlowActors container carries, so that it can be listed and reaped.</summary>
public static class ContainerLabels
{
    public const string Cluster = "flowactors.cluster";
    public const string Flow = "flowactors.flow";
    public const string Step = "flowactors.step";
    public const string Component = "flowactors.component";
    public const string Revision = "flowactors.revision";
    public const string Silo = "flowactors.silo";
    public const string Lease = "flowactors.lease";
    public const string Holder = "flowactors.holder";

    /// <summary>The labels of a container started for <paramref name="request"/> under <paramref name="leaseId"/>: the same for every runtime.</summary>
    public static Dictionary<string, string> Create(ContainerOwner owner, ContainerRequest request, string leaseId)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(request);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Cluster] = owner.ClusterId,
            [Silo] = owner.Silo,
            [Lease] = leaseId,
            [Holder] = request.Holder,
            [Flow] = request.FlowId,
            [Step] = request.StepId,
            [Component] = request.Revision.ComponentId,
            [Revision] = request.Revision.Revision.ToString(CultureInfo.InvariantCulture),
        };
    }
}
