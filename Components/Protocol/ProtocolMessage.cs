using System.Text.Json;

namespace FlowActors.ComponentProtocol;

/// <summary>A message as a component sees it.</summary>
/// <param name="TraceParent">
/// The W3C <c>traceparent</c> of the platform's span for this message's call, when the execution is traced: a
/// component parents its own span to it (the .NET SDK does), so the execution's trace shows the component's work.
/// Per message, because a batch carries messages of several executions.
/// </param>
public sealed record ProtocolMessage(
    string Id,
    JsonElement Body,
    IReadOnlyDictionary<string, string>? Headers,
    string ExecutionId,
    string? TraceParent = null);
