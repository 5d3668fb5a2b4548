using FlowActors.Client;
using FlowActors.Grains.Interfaces.Catalog;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Delivery;
using FlowActors.Grains.Interfaces.Flows;

namespace FlowActors.Silo.Api;

/// <summary>
/// Gathers the console's views from the grains in one fan-out, so that a page polls one route instead of
/// one per flow. Read-only: every call it makes is a read.
/// </summary>
public sealed class OverviewReader(IFlowActorsClient client, IGrainFactory grains)
{
    /// <summary>Revisions per component in the overview; the rest are a page away (<c>GET /api/components/{id}/revisions</c>).</summary>
    public const int RevisionsShown = 5;

    private const int MaxTextShown = 200;

    public async Task<Overview> ReadAsync(int executions, CancellationToken ct)
    {
        var statuses = client.ListFlowsAsync(ct);
        var components = await ComponentRevisionsAsync(ct);
        var latest = components.ToDictionary(c => c.Key, c => c.Value.Revisions[0].Revision, StringComparer.Ordinal);
        var flows = await Task.WhenAll((await statuses).Select(s => SummarizeAsync(s, latest, executions, ct)));
        var ordered = flows.Select(f => f.Flow).OrderBy(f => f.FlowId, StringComparer.Ordinal).ToArray();
        return new Overview(ordered, components.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => Summarize(c.Key, c.Value, ordered)).ToArray());
    }

    /// <summary>One flow's page, or null when there is no such flow.</summary>
    public async Task<FlowDetail?> ReadFlowAsync(string flowId, int executions, CancellationToken ct)
    {
        if (await FlowEndpoints.ExistingAsync(flowId, client, ct) is not { } status)
        {
            return null;
        }

        var latest = (await client.ListComponentsAsync(ct)).ToDictionary(c => c.ComponentId, c => c.Revision, StringComparer.Ordinal);
        return await SummarizeAsync(status, latest, executions, ct);
    }

    private async Task<FlowDetail> SummarizeAsync(FlowStatus status, IReadOnlyDictionary<string, int> latest, int executionCount, CancellationToken ct)
    {
        var flow = grains.GetGrain<IFlowGrain>(status.FlowId);
        var publishedTask = flow.GetPublishedAsync();
        var draftTask = flow.GetDraftAsync();
        var executions = executionCount > 0
            ? client.GetRecentExecutionsAsync(status.FlowId, executionCount, ct)
            : Task.FromResult<IReadOnlyList<ExecutionRecord>>([]);
        var countersTask = client.GetCountersAsync(status.FlowId, ct);
        var deadLettersTask = grains.GetGrain<IDeadLetterGrain>(status.FlowId).GetCountsAsync();
        var (published, draft) = (await publishedTask, await draftTask);
        var definition = published?.Definition ?? draft;
        var recent = (await executions).Select(Summarize).ToArray();

        var running = status.Lifecycle is FlowLifecycle.Running or FlowLifecycle.WarmingUp;
        var actions = definition?.Steps.ToDictionary(s => s.Id, s => s.Action, StringComparer.Ordinal) ?? [];
        var steps = running && status.Steps.Count > 0
            ? status.Steps.Select(s => Step(s.StepId, s.ComponentId, s, actions, latest, recent, status.Mode)).ToArray()
            : (definition?.Steps ?? []).Select(s => Step(s.Id, s.ComponentId, null, actions, latest, recent, status.Mode)).ToArray();

        var summary = new FlowSummary(
            status.FlowId,
            definition?.Name ?? status.FlowId,
            status.Lifecycle,
            status.Mode,
            status.PublishedRevision,
            status.RunningRevision,
            status.UnpublishedChanges,
            status.Error,
            steps.Count(s => s.Phase == StepPhase.Ready),
            steps,
            recent,
            steps.Any(s => s.Stale),
            await countersTask,
            (await deadLettersTask).Kept);
        return new FlowDetail(summary, definition, draft);
    }

    private static StepSummary Step(
        string stepId, string componentId, StepStatus? running, Dictionary<string, string> actions,
        IReadOnlyDictionary<string, int> latest, ExecutionSummary[] recent, FlowMode mode)
    {
        var newest = latest.GetValueOrDefault(componentId);
        var revision = running?.Revision ?? 0;

        // Only a real-time step keeps an older revision: an ordinary one starts its next container from the newest.
        var stale = mode == FlowMode.Realtime && revision > 0 && revision < newest;
        var lastActivity = recent.Where(e => e.Steps.Any(t => t.StepId == stepId)).Select(e => (DateTimeOffset?)e.LastEventAt).Max();
        return new StepSummary(stepId, componentId, actions.GetValueOrDefault(stepId), revision, newest,
            running?.Phase ?? StepPhase.Idle, running?.ContainerId, running?.Error, stale, lastActivity);
    }

    /// <summary>The newest few revisions of every component (newest first): the console polls this, so it stays small however many there are.</summary>
    private async Task<Dictionary<string, ComponentRevisionPage>> ComponentRevisionsAsync(CancellationToken ct)
    {
        var ids = await grains.GetGrain<IComponentCatalogGrain>(CatalogKeys.Cluster).ListAsync().WaitAsync(ct);
        var all = await Task.WhenAll(ids.Select(async id =>
            (id, page: await grains.GetGrain<IComponentGrain>(id).GetRevisionPageAsync(0, RevisionsShown, newest: true).WaitAsync(ct))));
        return all.Where(c => c.page.Total > 0).ToDictionary(c => c.id, c => c.page, StringComparer.Ordinal);
    }

    private static ComponentSummary Summarize(string componentId, ComponentRevisionPage page, IEnumerable<FlowSummary> flows) => new(
        componentId,
        page.Revisions[0].Revision,
        page.Total,
        page.Revisions.Select(r => new RevisionSummary(
            r.Revision,
            Short(r.Launch.Image),
            Short(r.Launch.Command),
            r.Descriptor.Actions.Take(20).ToArray(),
            r.CreatedAt,
            r.Launch.Arguments.Take(20).Select(a => Short(a)!).ToArray(),
            r.Launch.Environment.OrderBy(v => v.Key, StringComparer.Ordinal).Take(20).ToDictionary(v => v.Key, v => Short(v.Value)!, StringComparer.Ordinal),
            (r.Files ?? []).Select(f => $"{f.Path} {f.Sha256[..Math.Min(12, f.Sha256.Length)]}").ToArray())).ToArray(),
        flows.SelectMany(f => f.Steps.Where(s => s.ComponentId == componentId)
                .Select(s => new ComponentUse(f.FlowId, s.StepId, f.Lifecycle, f.Mode, s.Revision, s.Stale)))
            .ToArray());

    private static ExecutionSummary Summarize(ExecutionRecord e) => new(
        e.ExecutionId,
        e.Status,
        e.Steps.Select(s => new StepTimingSummary(s.StepId, s.Elapsed.TotalMilliseconds)).ToArray(),
        e.FailedStep,
        e.Error,
        e.FirstEventAt,
        e.LastEventAt,
        e.Outputs);

    private static string? Short(string? text) => text is { Length: > MaxTextShown } ? text[..MaxTextShown] + "…" : text;
}
