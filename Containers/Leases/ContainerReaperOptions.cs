namespace FlowActors.Containers.Leases;

/// <summary>When the reaper looks for containers nobody holds. Bound from <c>FlowActors:Containers:Reaper</c>.</summary>
public sealed class ContainerReaperOptions
{
    public const string SectionName = "FlowActors:Containers:Reaper";

    /// <summary>Time between passes; the first pass runs when the silo becomes active.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a container must look abandoned before it is removed: covers a membership view that lags behind (a
    /// silo declared dead a moment ago) and a holder renewing late. Zero removes at the first sighting.
    /// </summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(30);
}
