using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Containers;

namespace FlowActors.Grains.Steps;

/// <summary>
/// Persistent state of a <see cref="StepGrain"/>: what must survive the step grain's reactivation. A real-time step
/// keeps its container across activations (the new activation renews this lease instead of starting a container), and
/// every step keeps its component's snapshot.
/// </summary>
[GenerateSerializer, Alias("FlowActors.StepState")]
public sealed class StepState
{
    /// <summary>The flow run the held container serves; null when the step holds none.</summary>
    [Id(0)]
    public string? RunId { get; set; }

    /// <summary>A real-time step's container lease, as acquired (renewals are not stored: re-adopting renews anyway).</summary>
    [Id(1)]
    public ContainerLease? Lease { get; set; }

    /// <summary>The component revision the held container runs.</summary>
    [Id(2)]
    public ComponentRevision? Revision { get; set; }

    /// <summary>The last snapshot the component emitted (JSON), handed back to it with every message.</summary>
    [Id(3)]
    public string? Snapshot { get; set; }
}
