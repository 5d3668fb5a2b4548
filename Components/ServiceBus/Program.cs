using FlowActors.ComponentSdk;

namespace FlowActors.ServiceBusComponent;

/// <summary>
/// The Service Bus component: action "send" (docs/triggers.md). A named class rather than top-level statements: the
/// silo references this project, and two <c>Program</c> types would collide in the OpenAPI document's XML comments.
/// </summary>
internal static class ServiceBusComponentProgram
{
    public static async Task<int> Main(string[] args)
    {
        // One client per namespace for the life of the process, so a real-time step's container keeps its connection
        // open between messages.
        await using var senders = new ServiceBusSenders();
        return await ComponentHost.RunAsync(args, builder => ServiceBusSend.Configure(builder, senders), CancellationToken.None);
    }
}
