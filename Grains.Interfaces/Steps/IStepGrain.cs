using FlowActors.Grains.Interfaces.Flows;

namespace FlowActors.Grains.Interfaces.Steps;

/// <summary>
/// One step of one flow (key <c>{flowId}/{stepId}</c>, see <see cref="Messages.FlowStreams.StepKey"/>).
/// It receives messages on its input stream. Ordinary: a container per activation. Real-time: a container
/// lease held from flow start to flow stop.
/// </summary>
[Alias("FlowActors.IStepGrain")]
public interface IStepGrain : IGrainWithStringKey
{
    /// <summary>Real-time only: acquire a container lease and warm up. Returns once the container is starting; readiness is reported to the flow.</summary>
    Task StartRealtimeAsync(StepPlan plan);

    /// <summary>Releases the container and lets the activation go.</summary>
    Task StopAsync();

    /// <summary>
    /// The runtime saw the step's container die (crash, OOM kill, <c>docker kill</c>). A real-time step starts
    /// a replacement at once, so the next message does not pay for it; an ordinary step lets it go.
    /// </summary>
    [OneWay]
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
