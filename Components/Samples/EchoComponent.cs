using System.Text.Json;
using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;

namespace FlowActors.SampleComponents;

/// <summary>
/// <c>echo</c>: passes the message on unchanged. <c>reply</c>: answers the webhook request that started the
/// execution with the body: status 200 and no headers, or what the step's configuration says
/// (<c>{"status": 201, "headers": {"Cache-Control": "no-store"}}</c>). <c>split</c>: passes on each element of an array
/// body as a message of its own (a splitter: one message in, as many out as the array has elements).
/// </summary>
internal static class EchoComponent
{
    public static void Configure(ComponentBuilder component) => component
        .Action("echo", context => [Emit.Data(context.Body, context.Message.Headers)])
        .Action("reply", context => [new Emit(EmitKinds.HttpReply, context.Body, Headers(context), Status: (int?)context.ConfigurationNumber("status") ?? 200)])
        .Action("split", context => context.Body.ValueKind == JsonValueKind.Array
            ? [.. context.Body.EnumerateArray().Select(item => Emit.Data(item, context.Message.Headers))]
            : [Emit.Fail($"split expects an array body; it got {context.Body.ValueKind}.")]);

    private static Dictionary<string, string>? Headers(ActionContext context) =>
        context.Configuration is { ValueKind: JsonValueKind.Object } configuration
        && configuration.TryGetProperty("headers", out var headers)
        && headers.ValueKind == JsonValueKind.Object
            ? headers.EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString() ?? "")
            : null;
}
