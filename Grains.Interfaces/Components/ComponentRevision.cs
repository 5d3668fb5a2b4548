namespace FlowActors.Client;

/// <summary>One deployed, immutable revision of a component.</summary>
/// <param name="Revision">1 for the first deployment, then counting up.</param>
/// <param name="Files">
/// The files its launch names that existed on the deploying silo, with their content's digest: what the revision runs
/// (null for revisions deployed before files were pinned, and for image-only ones: nothing to pin).
/// </param>
[GenerateSerializer, Immutable, Alias("FlowActors.ComponentRevision")]
public sealed record ComponentRevision(
    [property: Id(0)] string ComponentId,
    [property: Id(1)] int Revision,
    [property: Id(2)] ComponentLaunch Launch,
    [property: Id(3)] ComponentDescriptor Descriptor,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] IReadOnlyList<PinnedFile>? Files = null);
