using FlowActors.ComponentSdk;
using FlowActors.ServiceBusComponent;

// The Service Bus component: action "send" (docs/triggers.md). One client per namespace for the life of the process,
// so a real-time step's container keeps its connection open between messages.
await using var senders = new ServiceBusSenders();
return await ComponentHost.RunAsync(args, builder => ServiceBusSend.Configure(builder, senders), CancellationToken.None);
