namespace FlowActors.Client;

/// <summary>A flow's state as operators and clients see it.</summary>
/// <param name="PublishedRevision">The newest published revision, 0 when nothing is published.</param>
/// <param name="RunningRevision">The revision that runs (or last ran), 0 when never started.</param>
/// <param name="UnpublishedChanges">The draft differs from the newest published revision (or nothing is published yet): publish to run it.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.FlowStatus")]
public sealed record FlowStatus(
    [property: Id(0)] string FlowId,
    [property: Id(1)] FlowLifecycle Lifecycle,
    [property: Id(2)] FlowMode Mode,
    [property: Id(3)] int PublishedRevision,
    [property: Id(4)] int RunningRevision,
    [property: Id(5)] bool UnpublishedChanges,
    [property: Id(6)] IReadOnlyList<StepStatus> Steps,
    [property: Id(7)] string? Error = null);
