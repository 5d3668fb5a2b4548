using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlowActors.ComponentProtocol;

/// <summary>
/// Source-generated JSON for the protocol: camelCase, nulls left out. Shared by the platform and the
/// .NET component SDK so both sides read and write the same shapes (and NativeAOT components need no reflection).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InvokeRequest))]
[JsonSerializable(typeof(InvokeResponse))]
[JsonSerializable(typeof(InvokeBatchRequest))]
[JsonSerializable(typeof(InvokeBatchResponse))]
public sealed partial class ProtocolJson : JsonSerializerContext;
