using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;

namespace FlowActors.SampleComponents;

/// <summary>
/// <c>echo</c>: passes the message on unchanged. <c>reply</c>: answers the webhook request that started the
/// execution with the body (status 200).
/// </summary>
internal static class EchoComponent
{
    public static void Configure(ComponentBuilder component) => component
        .Action("echo", context => [Emit.Data(context.Body, context.Message.Headers)])
        .Action("reply", context => [new Emit(EmitKinds.HttpReply, context.Body, Status: 200)]);
}
