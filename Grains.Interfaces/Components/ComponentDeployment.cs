namespace FlowActors.Client;

/// <summary>What a deployment supplies; the grain assigns the revision number and time.</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.ComponentDeployment")]
public sealed record ComponentDeployment(
    [property: Id(0)] ComponentLaunch Launch,
    [property: Id(1)] ComponentDescriptor Descriptor);
