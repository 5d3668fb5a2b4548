using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;

namespace FlowActors.SampleComponents;

/// <summary>
/// <c>delay</c>: stands for a call to an outside API. Waits <c>configuration.ms</c> (else body
/// <c>delayMs</c>, else nothing) milliseconds, then passes the body on.
/// </summary>
internal static class DelayComponent
{
    public static void Configure(ComponentBuilder component) =>
        component.Action("delay", async context =>
        {
            var milliseconds = context.ConfigurationNumber("ms") ?? BodyDelay(context);
            if (milliseconds > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(milliseconds), context.Aborted);
            }

            return [Emit.Data(Bodies.Rewrite(context.Body), context.Message.Headers)];
        });

    private static long BodyDelay(ActionContext context) =>
        context.Body.ValueKind == System.Text.Json.JsonValueKind.Object
        && context.Body.TryGetProperty("delayMs", out var value)
        && value.TryGetInt64(out var milliseconds)
            ? milliseconds
            : 0;
}
