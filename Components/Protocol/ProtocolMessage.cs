using System.Text.Json;

namespace FlowActors.ComponentProtocol;

/// <summary>A message as a component sees it.</summary>
public sealed record ProtocolMessage(
    string Id,
    JsonElement Body,
    IReadOnlyDictionary<string, string>? Headers,
    string ExecutionId);
