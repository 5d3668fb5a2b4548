using FlowActors.Grains.Interfaces.Messages;

namespace FlowActors.Client;

/// <summary>
/// What a flow tells the outside world about an execution: outputs, errors, replies. Published on the
/// flow's event stream (<see cref="FlowStreams.Events"/>, keyed by flow id).
/// </summary>
/// <param name="StepId">The step that emitted the output or failed.</param>
/// <param name="Message">The output (for <see cref="FlowEventKind.Output"/> and <see cref="FlowEventKind.HttpReply"/>).</param>
/// <param name="Error">What went wrong, naming the step (for <see cref="FlowEventKind.Error"/>).</param>
/// <param name="Elapsed">Time the step spent on the message.</param>
/// <param name="Path">Every step of the execution up to and including this one, with its timing.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.FlowEvent")]
public sealed record FlowEvent(
    [property: Id(0)] FlowEventKind Kind,
    [property: Id(1)] string FlowId,
    [property: Id(2)] string StepId,
    [property: Id(3)] string ExecutionId,
    [property: Id(4)] FlowMessage? Message,
    [property: Id(5)] string? Error,
    [property: Id(6)] TimeSpan Elapsed,
    [property: Id(7)] IReadOnlyList<StepTiming> Path);
