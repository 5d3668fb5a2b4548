using FlowActors.Client;
using FlowActors.Grains.Interfaces.Triggers;

namespace FlowActors.Grains.Triggers.ServiceBus;

/// <summary>Persistent state of a <see cref="ServiceBusTriggerGrain"/>. Holds the connection string: grain storage is owner-only (SQLite) or the cluster's own account.</summary>
[GenerateSerializer, Alias("FlowActors.ServiceBusTriggerState")]
public sealed class ServiceBusTriggerState
{
    /// <summary>The trigger's settings, secret included; null when the flow has no Service Bus trigger.</summary>
    [Id(0)]
    public ServiceBusTriggerSettings? Settings { get; set; }

    /// <summary>The flow's current run, or null while the flow is stopped.</summary>
    [Id(1)]
    public TriggerRun? Run { get; set; }
}
