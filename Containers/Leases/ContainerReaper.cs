using FlowActors.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowActors.Containers.Leases;

/// <summary>
/// The one place where leases expire, for every runtime: lists this cluster's containers through the selected
/// <see cref="IContainerRuntime"/> and removes those its cluster provably abandoned (<see cref="ReapRules"/>), once they
/// have looked so for <see cref="ContainerReaperOptions.Grace"/>. Runs when the silo becomes active and then every
/// <see cref="ContainerReaperOptions.Period"/>.
/// </summary>
public sealed partial class ContainerReaper(
    IContainerRuntime runtime,
    IClusterMembershipService membership,
    ContainerOwner owner,
    ContainerLeases leases,
    IOptions<ContainerReaperOptions> options,
    TimeProvider time,
    ILogger<ContainerReaper> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    // Only the reaper's loop touches these. Suspects: first time each container looked abandoned. Reported: containers
    // whose owner cannot be judged, logged once rather than at every pass.
    private readonly Dictionary<string, DateTimeOffset> _suspects = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ContainerReaper), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    /// <summary>One pass: lists the cluster's containers and removes the abandoned ones. Returns how many it removed.</summary>
    public async Task<int> ReapOnceAsync(CancellationToken cancellationToken)
    {
        var containers = await runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Cluster] = owner.ClusterId }, cancellationToken);
        var snapshot = membership.CurrentSnapshot;
        var now = time.GetUtcNow();
        var removed = 0;
        foreach (var container in containers)
        {
            var verdict = ReapRules.Judge(container.Labels, owner, snapshot, leases, now);
            if (verdict.Action == ReapAction.Unknown && _reported.Add(container.Id))
            {
                LogLeftAlone(logger, container.Id, Label(container, ContainerLabels.Flow), Label(container, ContainerLabels.Step), verdict.Reason);
            }

            if (verdict.Action != ReapAction.Reap)
            {
                _suspects.Remove(container.Id);
                continue;
            }

            if (!_suspects.TryGetValue(container.Id, out var since))
            {
                _suspects[container.Id] = since = now;
            }

            if (now - since < options.Value.Grace)
            {
                continue;
            }

            await runtime.RemoveAsync(container.Id, cancellationToken);
            _suspects.Remove(container.Id);
            removed++;
            FlowMetrics.ContainerReaped(runtime.Name);
            LogReaped(logger, container.Id, Label(container, ContainerLabels.Flow), Label(container, ContainerLabels.Step), verdict.Reason);
        }

        var listed = containers.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _suspects.Keys.Where(id => !listed.Contains(id)).ToList())
        {
            _suspects.Remove(gone);
        }

        _reported.IntersectWith(listed);
        LogPass(logger, runtime.Name, containers.Count, owner.ClusterId, removed);
        return removed;
    }

    private static string? Label(ContainerInfo container, string name) => container.Labels.GetValueOrDefault(name);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.Period, time);
        do
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await ReapOnceAsync(cancellationToken);
                FlowMetrics.ReaperPassed(runtime.Name, started, succeeded: true);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // An engine that is down now may be back at the next pass; the reaper must not die with it.
                FlowMetrics.ReaperPassed(runtime.Name, started, succeeded: false);
                LogPassFailed(logger, e, runtime.Name);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Reaped container {ContainerId} of {FlowId}/{StepId}: {Reason}")]
    private static partial void LogReaped(ILogger logger, string containerId, string? flowId, string? stepId, string reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Leaving container {ContainerId} of {FlowId}/{StepId} alone: {Reason}")]
    private static partial void LogLeftAlone(ILogger logger, string containerId, string? flowId, string? stepId, string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "Reaper pass over the {Runtime} runtime: {Listed} containers of cluster {ClusterId}, {Removed} removed")]
    private static partial void LogPass(ILogger logger, string runtime, int listed, string clusterId, int removed);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "A reaper pass over the {Runtime} runtime failed; retrying next period")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, string runtime);
}
