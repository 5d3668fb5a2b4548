using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Triggers;

/// <summary>
/// A flow's Service Bus trigger (key: the flow id). While the flow runs, this grain owns the flow's only receiver in the
/// cluster: it hands each message to the flow and settles it by the outcome (complete, abandon, dead-letter). A
/// reminder brings it back on another silo when its silo goes away.
/// </summary>
[Alias("FlowActors.IServiceBusTriggerGrain")]
public interface IServiceBusTriggerGrain : IFlowTriggerGrain
{
    /// <summary>
    /// Validates and stores the settings (a null <see cref="ServiceBusTriggerSettings.ConnectionString"/> keeps the stored
    /// one, unless a namespace is given instead), and reconnects a running flow's receiver with them. Throws
    /// <see cref="TriggerValidationException"/> naming every field at fault.
    /// </summary>
    Task<ServiceBusTriggerInfo> ConfigureAsync(ServiceBusTriggerSettings settings);

    /// <summary>The trigger without its secret, or null when the flow has none.</summary>
    [AlwaysInterleave]
    Task<ServiceBusTriggerInfo?> GetAsync();

    /// <summary>Closes the receiver and forgets the settings, secret included.</summary>
    Task RemoveAsync();
}
