using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;

namespace FlowActors.SampleComponents;

/// <summary>
/// <c>uppercase</c>: uppercases the string field named by configuration <c>{"field": "name"}</c>, or every
/// top-level string field when none is configured.
/// </summary>
internal static class TransformComponent
{
    public static void Configure(ComponentBuilder component) =>
        component.Action("uppercase", context =>
        {
            var field = context.ConfigurationString("field");
            var body = Bodies.Rewrite(
                context.Body,
                (name, value) => field is null || name == field ? value.ToUpperInvariant() : null);
            return [Emit.Data(body, context.Message.Headers)];
        });
}
