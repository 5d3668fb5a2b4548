using FlowActors.Client;
using FlowActors.Grains.Interfaces.Flows;

namespace FlowActors.Grains.Interfaces.Steps;

/// <summary>
/// One step of one flow (key <c>{flowId}/{stepId}</c>, see <see cref="Messages.FlowStreams.StepKey"/>).
/// It receives messages on its input stream. Ordinary: a container per activation. Real-time: a container
/// lease held from flow start to flow stop, across reactivations of the step grain.
/// </summary>
[Alias("FlowActors.IStepGrain")]
public interface IStepGrain : IGrainWithStringKey
{
    /// <summary>
    /// Real-time only: makes sure the step runs <paramref name="plan"/>'s run, and says where it is. Idempotent: a step
    /// already in that run answers with its current state; one that lost its activation re-adopts its container (or
    /// starts a new one when it is gone); a step that failed in that run tries again. Returns at once: the container
    /// starts and warms up in the background, and readiness is reported to the flow
    /// (<see cref="IFlowGrain.ReportStepAsync"/>).
    /// </summary>
    Task<StepStatus> StartRealtimeAsync(StepPlan plan);

    /// <summary>
    /// Ends the step's run: what is queued or in flight gets an error event, the container is released and the
    /// activation let go. Interleaves, so a stop never waits behind message work.
    /// </summary>
    [AlwaysInterleave]
    Task StopAsync();

    /// <summary>
    /// The runtime saw the step's container die (crash, OOM kill, <c>docker kill</c>). A real-time step starts
    /// a replacement at once, so the next message does not pay for it; an ordinary step checks at its next message.
    /// Interleaves: it only starts the replacement.
    /// </summary>
    [AlwaysInterleave, OneWay]
    Task ContainerDiedAsync(string containerId);

    /// <summary>
    /// Runs the step's trigger once, for a schedule's tick: the component is called with the tick's message and the
    /// snapshot the schedule keeps, on the step's container (an ordinary step starts one as for a message, a real-time
    /// step uses the one it holds). What the trigger emits goes on like the step's outputs; the snapshot it emits comes
    /// back to the schedule. Never throws for a failed trigger: the result carries the error.
    /// </summary>
    [ResponseTimeout("00:05:00")]
    Task<TriggerPollResult> PollAsync(TriggerPoll poll);

    /// <summary>The step's phase, revision and container.</summary>
    [AlwaysInterleave]
    Task<StepStatus> GetStatusAsync();
}
