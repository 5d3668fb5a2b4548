namespace FlowActors.Grains.Interfaces.Messages;

/// <summary>One step an execution went through, and how long that step spent on its message.</summary>
/// <param name="StepId">The step.</param>
/// <param name="Elapsed">From the message's arrival at the step to the step's emits being routed.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.StepTiming")]
public sealed record StepTiming([property: Id(0)] string StepId, [property: Id(1)] TimeSpan Elapsed);
