namespace FlowActors.Containers;

/// <summary>
/// Who starts containers in this process: the cluster and the silo (parsable <c>SiloAddress</c>, generation
/// included, so that a restarted silo on the same endpoint is a different owner). Written into every container's
/// labels; the reaper compares them with Orleans' membership.
/// </summary>
public sealed record ContainerOwner(string ClusterId, string Silo);
