using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlowActors.ComponentSdk;

/// <summary>Source-generated JSON for what the SDK writes besides protocol replies (NativeAOT needs no reflection).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorReply))]
[JsonSerializable(typeof(DescriptorReply))]
internal sealed partial class SdkJson : JsonSerializerContext;
