namespace FlowActors.Client;

/// <summary>Per-step part of a flow's status.</summary>
/// <param name="Revision">The component revision the step runs (pinned for real-time, latest for ordinary); 0 when none yet.</param>
/// <param name="ContainerId">The container the step holds, if any.</param>
/// <param name="Error">Why the step failed, when <paramref name="Phase"/> is <see cref="StepPhase.Failed"/>.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.StepStatus")]
public sealed record StepStatus(
    [property: Id(0)] string StepId,
    [property: Id(1)] string ComponentId,
    [property: Id(2)] int Revision,
    [property: Id(3)] StepPhase Phase,
    [property: Id(4)] string? ContainerId = null,
    [property: Id(5)] string? Error = null);
