using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Interfaces.Steps;

namespace FlowActors.Grains.Steps;

/// <summary>
/// How one step runs one plan: <see cref="RealtimeStep"/> (a container held from flow start to flow stop, an inbox)
/// or <see cref="OrdinaryStep"/> (a container per activation, each message processed inside its delivery). The
/// <see cref="StepGrain"/> picks one by the plan's mode and routes its contract to it.
/// </summary>
internal interface IStepRunner
{
    StepPlan Plan { get; }

    StepStatus Status { get; }

    /// <summary>A message from the step's input stream; the returned task is the stream delivery.</summary>
    Task OnMessageAsync(InboxEntry entry);

    /// <summary>
    /// Calls the component once for a schedule's tick (the step's trigger), with the schedule's snapshot rather than the
    /// step's, on the container the run uses (an ordinary run starts one as for a message); throws what the call throws.
    /// </summary>
    Task<IReadOnlyList<Emit>> InvokeTriggerAsync(FlowMessage tick, string? snapshot);

    /// <summary>The runtime saw a container die; the runner acts if it is the one it holds.</summary>
    void OnContainerDied(string containerId);

    /// <summary>The run ends: what is queued or in flight gets an error event, and the container is released.</summary>
    Task StopAsync();

    /// <summary>The activation ends (not the run): finish or account for what was received, then let go.</summary>
    Task DeactivateAsync(CancellationToken cancellationToken);
}
