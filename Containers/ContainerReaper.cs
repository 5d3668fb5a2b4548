using FlowActors.Grains.Interfaces.Containers;
using FlowActors.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace FlowActors.Containers;

/// <summary>
/// Removes this cluster's containers that no live lease holds: those whose owning silo is dead or unknown to the
/// cluster's membership (the silo crashed with its containers running), and this silo's own containers whose lease
/// ran out (the holder stopped renewing). Works with any <see cref="IContainerRuntime"/> through list and remove.
/// Runs when the silo becomes active and then every <see cref="ContainerReaperOptions.Period"/>.
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
    // First time each container looked orphaned; only the reaper's loop touches it.
    private readonly Dictionary<string, DateTimeOffset> _suspects = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ContainerReaper), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    /// <summary>One pass: lists the cluster's containers and removes the orphaned ones. Returns how many it removed.</summary>
    public async Task<int> ReapOnceAsync(CancellationToken cancellationToken)
    {
        var containers = await runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Cluster] = owner.ClusterId }, cancellationToken);
        var snapshot = membership.CurrentSnapshot;
        var now = time.GetUtcNow();
        var removed = 0;
        foreach (var container in containers)
        {
            if (WhyOrphaned(container, snapshot, now) is not { } reason)
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
            LogReaped(logger, container.Id, Label(container, ContainerLabels.Flow), Label(container, ContainerLabels.Step), reason);
        }

        var listed = containers.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _suspects.Keys.Where(id => !listed.Contains(id)).ToList())
        {
            _suspects.Remove(gone);
        }

        return removed;
    }

    private string? WhyOrphaned(ContainerInfo container, ClusterMembershipSnapshot snapshot, DateTimeOffset now)
    {
        var silo = Label(container, ContainerLabels.Silo);
        if (silo == owner.Silo)
        {
            // Ours: its lease decides. A lease this silo does not know is left alone (another runtime's bookkeeping).
            var lease = Label(container, ContainerLabels.Lease);
            return lease is not null && leases.TryGetExpiry(lease, out var expiresAt) && expiresAt < now
                ? $"its lease expired at {expiresAt:O}"
                : null;
        }

        if (!TryParseSilo(silo, out var address))
        {
            return $"its owning silo label '{silo}' is not a silo address";
        }

        // None means the membership never heard of the silo (or already cleaned it up): it is not coming back either.
        return snapshot.GetSiloStatus(address) is SiloStatus.Dead or SiloStatus.None
            ? $"its owning silo {silo} is not alive in the cluster's membership"
            : null;
    }

    private static bool TryParseSilo(string? value, out SiloAddress address)
    {
        address = null!;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        try
        {
            address = SiloAddress.FromParsableString(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string? Label(ContainerInfo container, string name) => container.Labels.TryGetValue(name, out var value) ? value : null;

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reaped container {ContainerId} of {FlowId}/{StepId}: {Reason}")]
    private static partial void LogReaped(ILogger logger, string containerId, string? flowId, string? stepId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A reaper pass over the {Runtime} runtime failed; retrying next period")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, string runtime);
}
