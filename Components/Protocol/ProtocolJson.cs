using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlowActors.ComponentProtocol;

/// <summary>
/// Source-generated JSON for the protocol: camelCase, nulls left out. Shared by the platform and the
/// .NET component SDK so both sides read and write the same shapes (and NativeAOT components need no reflection),
/// and the same depth: a body as deep as the platform lets in, inside its envelope (<see cref="ProtocolLimits"/>).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, MaxDepth = ProtocolLimits.MaxDepth)]
[JsonSerializable(typeof(InvokeRequest))]
[JsonSerializable(typeof(InvokeResponse))]
[JsonSerializable(typeof(InvokeBatchRequest))]
[JsonSerializable(typeof(InvokeBatchResponse))]
public sealed partial class ProtocolJson : JsonSerializerContext;
