namespace FlowActors.Containers;

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
}
