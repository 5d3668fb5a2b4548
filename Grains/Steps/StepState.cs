using FlowActors.Client;
using FlowActors.Grains.Delivery;
using FlowActors.Grains.Interfaces.Containers;

namespace FlowActors.Grains.Steps;

/// <summary>
/// Persistent state of a <see cref="StepGrain"/>: what must survive the step grain's reactivation. A real-time step
/// keeps its container across activations (the new activation renews this lease instead of starting a container), and
/// every step keeps its component's snapshot, the message whose delivery is failing, the ids it completed lately (to
/// drop redeliveries) and, for an ordinary step, the messages it retries.
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

    /// <summary>
    /// The message whose stream delivery failed last (the stream delivers it again). If the stream gives up on it, its
    /// execution gets an error event, from whichever activation the stream tells; the next delivery that succeeds clears it.
    /// </summary>
    [Id(4)]
    public FlowMessage? Undelivered { get; set; }

    /// <summary>Why <see cref="Undelivered"/> could not be taken: the error its execution gets.</summary>
    [Id(5)]
    public string? UndeliveredReason { get; set; }

    /// <summary>
    /// Ids of the messages the step completed most recently (oldest first, at most
    /// <see cref="StepOptions.DeduplicationWindow"/>), so that a new activation too drops a message delivered again.
    /// </summary>
    [Id(6)]
    public IReadOnlyList<string>? Completed { get; set; }

    /// <summary>An ordinary step's messages waiting to be tried again (its stream already counts them as delivered).</summary>
    [Id(7)]
    public IReadOnlyList<PendingRetry>? Retries { get; set; }
}
