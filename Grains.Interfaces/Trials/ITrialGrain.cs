using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Trials;

/// <summary>
/// Tries a flow's draft on a sample message without running the flow (key: the flow id): the draft's mapping,
/// configuration and edge conditions, and the component's newest revision in a short-lived process or container of the
/// try's own, stopped before the answer. Nothing is counted and nothing reaches the flow's steps; the flow may be
/// stopped, or never published.
/// </summary>
[Alias("FlowActors.ITrialGrain")]
public interface ITrialGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs one step of the draft on <paramref name="sample"/>: its mapping, its component, the conditions of its edges
    /// on each output. Throws <see cref="FlowStateException"/> when the flow has no draft and
    /// <see cref="ArgumentException"/> when the draft has no such step.
    /// </summary>
    [ResponseTimeout("00:02:00")]
    Task<StepTrial> TryStepAsync(string stepId, TrialMessage sample);

    /// <summary>
    /// Runs the whole draft on <paramref name="sample"/>, step by step from the entry step, following the edges each output
    /// takes, at most <see cref="DraftTrial.MaxStepTrials"/> step calls.
    /// </summary>
    [ResponseTimeout("00:05:00")]
    Task<DraftTrial> TryDraftAsync(TrialMessage sample);
}
