namespace FlowActors.Containers.Isolation;

/// <summary>
/// How components are kept away from the control plane (the silo's gateway, silo-to-silo and admin ports, and its
/// files). Bound from <c>FlowActors:Containers:Isolation</c>; see docs/security.md, "The component boundary".
/// </summary>
public sealed class ComponentIsolationOptions
{
    public const string SectionName = "FlowActors:Containers:Isolation";

    /// <summary>
    /// <see cref="ComponentIsolationMode.Auto"/> (default): each component gets a network namespace of its own (Docker:
    /// <c>--network none</c>; local processes: a namespace the silo creates), reachable only by the silo, and local
    /// processes run as <see cref="ProcessUser"/>, wherever the silo can do so.
    /// </summary>
    public ComponentIsolationMode Mode { get; set; } = ComponentIsolationMode.Auto;

    /// <summary>
    /// The user (<c>uid:gid</c>, numeric) local component processes run as when the silo may change users (it runs as
    /// root): 65534:65534 is "nobody". The component's files must be readable by it. Docker containers take their user
    /// from <c>FlowActors:Containers:Docker:User</c>.
    /// </summary>
    public string ProcessUser { get; set; } = "65534:65534";
}
