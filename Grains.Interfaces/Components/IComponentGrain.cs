using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Components;

/// <summary>The deployed revisions of one component. Key: the component id.</summary>
[Alias("FlowActors.IComponentGrain")]
public interface IComponentGrain : IGrainWithStringKey
{
    /// <summary>Adds a revision and returns it. Flows resolve the newest revision when they start.</summary>
    Task<ComponentRevision> DeployAsync(ComponentDeployment deployment);

    /// <summary>The newest revision, or null when nothing was deployed.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<ComponentRevision?> GetLatestAsync();

    /// <summary>One revision, or null when it does not exist.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<ComponentRevision?> GetRevisionAsync(int revision);

    /// <summary>Every revision, oldest first.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<ComponentRevision>> ListRevisionsAsync();

    /// <summary>
    /// Up to <paramref name="limit"/> revisions after revision <paramref name="after"/>, oldest first; or, when
    /// <paramref name="newest"/> is true, the newest <paramref name="limit"/>, newest first (<paramref name="after"/> ignored).
    /// </summary>
    [ReadOnly, AlwaysInterleave]
    Task<ComponentRevisionPage> GetRevisionPageAsync(int after, int limit, bool newest);
}
