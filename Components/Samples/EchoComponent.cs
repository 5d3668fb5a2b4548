using System.Text.Json;
using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;

namespace FlowActors.SampleComponents;

/// <summary>
/// <c>echo</c>: passes the message on unchanged. <c>reply</c>: answers the webhook request that started the
/// execution with the body: status 200 and no headers, or what the step's configuration says
/// (<c>{"status": 201, "headers": {"Cache-Control": "no-store"}}</c>).
/// </summary>
internal static class EchoComponent
{
    public static void Configure(ComponentBuilder component) => component
        .Action("echo", context => [Emit.Data(context.Body, context.Message.Headers)])
        .Action("reply", context => [new Emit(EmitKinds.HttpReply, context.Body, Headers(context), Status: (int?)context.ConfigurationNumber("status") ?? 200)]);

    private static Dictionary<string, string>? Headers(ActionContext context) =>
        context.Configuration is { ValueKind: JsonValueKind.Object } configuration
        && configuration.TryGetProperty("headers", out var headers)
        && headers.ValueKind == JsonValueKind.Object
            ? headers.EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString() ?? "")
            : null;
}
