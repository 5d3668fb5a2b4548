namespace FlowActors.Client;

/// <summary>A message travelling through a flow.</summary>
/// <param name="Id">
/// Unique per message and stable per hop: an execution's first message gets a new one, and a step's output derives its id
/// from its input's id, the step and the output's index (<see cref="Next"/>), so a message processed again (a stream
/// redelivery, a retry) has the same id every time and a step can drop what it already completed.
/// </param>
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

    /// <summary>
    /// A message of the same execution, with another body: output number <paramref name="index"/> that the step
    /// <paramref name="hop"/> timed made of this one. Its id follows from this message's id, the step and the index.
    /// </summary>
    public FlowMessage Next(int index, string body, IReadOnlyDictionary<string, string>? headers, StepTiming hop)
    {
        ArgumentNullException.ThrowIfNull(hop);
        return new(DeriveId(Id, hop.StepId, index), body, headers ?? Headers, ExecutionId, TraceParent, PathWith(hop));
    }

    /// <summary>The id of output <paramref name="index"/> that step <paramref name="stepId"/> makes of message <paramref name="id"/>.</summary>
    public static string DeriveId(string id, string stepId, int index)
    {
        // A hash rather than a concatenation, so ids keep one length however long the flow; 128 bits, like a Guid.
        var text = $"{id}/{stepId}/{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    /// <summary>The path so far plus <paramref name="hop"/>.</summary>
    public IReadOnlyList<StepTiming> PathWith(StepTiming hop) => Path is { Count: > 0 } path ? [.. path, hop] : [hop];
}
