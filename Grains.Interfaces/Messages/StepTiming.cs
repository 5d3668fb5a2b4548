namespace FlowActors.Client;

/// <summary>One step an execution went through, and how long that step took (component call included).</summary>
[GenerateSerializer, Immutable, Alias("FlowActors.StepTiming")]
public sealed record StepTiming([property: Id(0)] string StepId, [property: Id(1)] TimeSpan Elapsed);
