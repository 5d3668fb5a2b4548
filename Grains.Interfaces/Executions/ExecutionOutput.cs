namespace FlowActors.Client;

/// <summary>
/// One output (or HTTP reply) of an execution, as the execution log keeps it: the body is kept up to the log's
/// byte budget per execution (<c>FlowActors:Executions:MaxOutputBytes</c>), so a message sent without waiting can
/// be looked at afterwards.
/// </summary>
/// <param name="StepId">The step that emitted it.</param>
/// <param name="Kind"><see cref="FlowEventKind.Output"/> or <see cref="FlowEventKind.HttpReply"/>.</param>
/// <param name="Body">
/// The JSON body; when <paramref name="Truncated"/>, its first bytes only (no longer JSON), or null when the budget
/// was already spent on earlier outputs.
/// </param>
/// <param name="Truncated">The body is not kept whole: <paramref name="Body"/> is cut short or missing.</param>
/// <param name="Bytes">The whole body's size in UTF-8 bytes.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.ExecutionOutput")]
public sealed record ExecutionOutput(
    [property: Id(0)] string StepId,
    [property: Id(1)] FlowEventKind Kind,
    [property: Id(2)] string? Body,
    [property: Id(3)] bool Truncated,
    [property: Id(4)] int Bytes);
