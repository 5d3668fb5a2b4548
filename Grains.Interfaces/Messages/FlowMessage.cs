namespace FlowActors.Grains.Interfaces.Messages;

/// <summary>A message travelling through a flow.</summary>
/// <param name="Id">Unique per message.</param>
/// <param name="Body">A JSON document.</param>
/// <param name="Headers">Metadata that travels with the body (HTTP request data of a webhook, for instance).</param>
/// <param name="ExecutionId">The execution the message belongs to: every message caused by one input shares it.</param>
/// <param name="TraceParent">W3C trace context, so a trace follows the message across steps.</param>
/// <param name="Path">The steps the execution went through before this message, with their timings; null at the start.</param>
/// <param name="Budget">
/// How many step calls this message may still cause, its own included: its share of the execution's budget
/// (FlowActors:Flows:MaxMessagesPerExecution), which the step that made it split among its outputs. Null for a message
/// that starts an execution: the first step gives it the whole budget.
/// </param>
[GenerateSerializer, Immutable, Alias("FlowActors.FlowMessage")]
public sealed record FlowMessage(
    [property: Id(0)] string Id,
    [property: Id(1)] string Body,
    [property: Id(2)] IReadOnlyDictionary<string, string> Headers,
    [property: Id(3)] string ExecutionId,
    [property: Id(4)] string? TraceParent = null,
    [property: Id(5)] IReadOnlyList<StepTiming>? Path = null,
    [property: Id(6)] int? Budget = null)
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>A new message that starts a new execution.</summary>
    public static FlowMessage Create(string body, IReadOnlyDictionary<string, string>? headers = null)
    {
        var id = Guid.NewGuid().ToString("N");
        return new FlowMessage(id, body, headers ?? NoHeaders, id, System.Diagnostics.Activity.Current?.Id);
    }

    /// <summary>A message of the same execution, with another body: the output of the step that <paramref name="hop"/> timed.</summary>
    public FlowMessage Next(string body, IReadOnlyDictionary<string, string>? headers, StepTiming hop) =>
        new(Guid.NewGuid().ToString("N"), body, headers ?? Headers, ExecutionId, TraceParent, PathWith(hop));

    /// <summary>The path so far plus <paramref name="hop"/>.</summary>
    public IReadOnlyList<StepTiming> PathWith(StepTiming hop) => Path is { Count: > 0 } path ? [.. path, hop] : [hop];
}
