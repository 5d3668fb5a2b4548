namespace FlowActors.Client;

/// <summary>What is known of one execution from the events its flow published.</summary>
/// <param name="Steps">Every step the execution went through, with its timing, in the order the events reported them.</param>
/// <param name="FailedStep">The step that failed, when <paramref name="Status"/> is <see cref="ExecutionStatus.Failed"/>.</param>
/// <param name="Error">What went wrong, naming the step.</param>
/// <param name="Events">How many events (outputs, errors, replies) the execution produced.</param>
/// <param name="FirstEventAt">When the first of its events arrived.</param>
/// <param name="LastEventAt">When the latest of its events arrived.</param>
/// <param name="Outputs">Its outputs and HTTP replies in the order they arrived, bodies kept up to a byte budget (the first few only).</param>
[GenerateSerializer, Immutable, Alias("FlowActors.ExecutionRecord")]
public sealed record ExecutionRecord(
    [property: Id(0)] string FlowId,
    [property: Id(1)] string ExecutionId,
    [property: Id(2)] ExecutionStatus Status,
    [property: Id(3)] IReadOnlyList<StepTiming> Steps,
    [property: Id(4)] string? FailedStep,
    [property: Id(5)] string? Error,
    [property: Id(6)] int Events,
    [property: Id(7)] DateTimeOffset FirstEventAt,
    [property: Id(8)] DateTimeOffset LastEventAt,
    [property: Id(9)] IReadOnlyList<ExecutionOutput> Outputs);
