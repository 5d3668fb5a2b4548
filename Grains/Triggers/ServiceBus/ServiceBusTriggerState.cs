using FlowActors.Client;
using FlowActors.Grains.Interfaces.Secrets;
using FlowActors.Grains.Interfaces.Triggers;

namespace FlowActors.Grains.Triggers.ServiceBus;

/// <summary>Persistent state of a <see cref="ServiceBusTriggerGrain"/>. The connection string is stored sealed (<see cref="Secrets.SecretSealer"/>).</summary>
[GenerateSerializer, Alias("FlowActors.ServiceBusTriggerState")]
public sealed class ServiceBusTriggerState
{
    /// <summary>
    /// The trigger's settings without their connection string (<see cref="ConnectionString"/>); null when the flow has no
    /// Service Bus trigger. Versions before secrets were sealed kept the connection string in here, in plain text: the
    /// grain seals it when it activates.
    /// </summary>
    [Id(0)]
    public ServiceBusTriggerSettings? Settings { get; set; }

    /// <summary>The flow's current run, or null while the flow is stopped.</summary>
    [Id(1)]
    public TriggerRun? Run { get; set; }

    /// <summary>The settings' connection string, sealed for this flow; null when the trigger signs in with DefaultAzureCredential.</summary>
    [Id(2)]
    public SealedSecret? ConnectionString { get; set; }
}
