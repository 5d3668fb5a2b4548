namespace FlowActors.Client;

/// <summary>One deployed, immutable revision of a component.</summary>
/// <param name="Revision">1 for the first deployment, then counting up.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.ComponentRevision")]
public sealed record ComponentRevision(
    [property: Id(0)] string ComponentId,
    [property: Id(1)] int Revision,
    [property: Id(2)] ComponentLaunch Launch,
    [property: Id(3)] ComponentDescriptor Descriptor,
    [property: Id(4)] DateTimeOffset CreatedAt);
