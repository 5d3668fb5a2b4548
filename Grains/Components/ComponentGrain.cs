using FlowActors.Client;
using FlowActors.Containers.Processes;
using FlowActors.Grains.Interfaces.Catalog;
using FlowActors.Grains.Interfaces.Components;

namespace FlowActors.Grains.Components;

/// <summary>
/// Keeps the deployed revisions of one component; a deployment never changes an earlier revision, and pins the files
/// its launch names (<see cref="LaunchFiles"/>), so that it keeps running what was deployed.
/// </summary>
public sealed class ComponentGrain(
    [PersistentState("component", StorageNames.Grains)] IPersistentState<ComponentState> state,
    LaunchFiles files,
    TimeProvider time) : Grain, IComponentGrain
{
    public async Task<ComponentRevision> DeployAsync(ComponentDeployment deployment)
    {
        var componentId = this.GetPrimaryKeyString();
        ComponentDeploymentValidator.ThrowIfInvalid(componentId, deployment);

        var launch = WithDefaults(deployment.Launch);
        var pinned = await files.PinAsync(launch, CancellationToken.None);
        var revision = new ComponentRevision(
            componentId, state.State.Revisions.Count + 1, launch, WithDefaults(deployment.Descriptor), time.GetUtcNow(), pinned.Count > 0 ? [.. pinned] : null);
        state.State.Revisions.Add(revision);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Keep memory and storage in agreement: a revision that was not stored does not exist.
            state.State.Revisions.RemoveAt(state.State.Revisions.Count - 1);
            throw;
        }

        await GrainFactory.GetGrain<IComponentCatalogGrain>(CatalogKeys.Cluster).AddAsync(componentId);
        return revision;
    }

    // A list or map left out of a deployment (JSON without "triggers" or "environment") is empty, never null: every
    // reader of a revision, and the runtimes that start it, can rely on that. Plain arrays and dictionaries, as stored state must be.
    private static ComponentLaunch WithDefaults(ComponentLaunch launch) => launch with
    {
        Arguments = launch.Arguments ?? Array.Empty<string>(),
        Environment = launch.Environment ?? new Dictionary<string, string>(),
    };

    private static ComponentDescriptor WithDefaults(ComponentDescriptor descriptor) => descriptor with
    {
        Triggers = descriptor.Triggers ?? Array.Empty<string>(),
        Actions = descriptor.Actions ?? Array.Empty<string>(),
        Details = descriptor.Details is { Count: > 0 } details ? new Dictionary<string, ActionDetails>(details, StringComparer.Ordinal) : null,
    };

    public Task<ComponentRevision?> GetLatestAsync() => Task.FromResult(state.State.Revisions.LastOrDefault());

    public Task<ComponentRevision?> GetRevisionAsync(int revision) =>
        Task.FromResult(revision >= 1 && revision <= state.State.Revisions.Count ? state.State.Revisions[revision - 1] : null);

    public Task<IReadOnlyList<ComponentRevision>> ListRevisionsAsync() =>
        Task.FromResult<IReadOnlyList<ComponentRevision>>(state.State.Revisions.ToArray());

    public Task<ComponentRevisionPage> GetRevisionPageAsync(int after, int limit, bool newest)
    {
        var revisions = state.State.Revisions;
        var count = Math.Max(0, limit);
        var page = newest
            ? revisions.AsEnumerable().Reverse().Take(count)
            : revisions.Skip(Math.Clamp(after, 0, revisions.Count)).Take(count);
        return Task.FromResult(new ComponentRevisionPage(page.ToArray(), revisions.Count));
    }
}
