namespace FlowActors.Containers;

/// <summary>Which container runtime a silo uses. Bound from <c>FlowActors:Containers</c>.</summary>
public sealed class ContainerRuntimeOptions
{
    public const string SectionName = "FlowActors:Containers";

    public ContainerRuntimeKind Kind { get; set; } = ContainerRuntimeKind.Auto;

    /// <summary>With <see cref="ContainerRuntimeKind.Auto"/>: how long the Docker engine gets to answer at start-up.</summary>
    public TimeSpan AutoPingTimeout { get; set; } = TimeSpan.FromMilliseconds(500);
}
