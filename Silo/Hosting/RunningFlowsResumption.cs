using FlowActors.Client;
using FlowActors.Grains.Interfaces.Catalog;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FlowActors.Silo.Hosting;

/// <summary>
/// Wakes the flows that were running when the cluster last stopped, and those a dead silo held. A flow grain whose
/// stored state says <see cref="FlowLifecycle.Running"/> picks its run up when it activates (a real-time flow warms
/// its steps up again), and a real-time step grain whose state holds a lease takes its run up when it activates; but
/// nothing activates them after a restart, or after their silo died, until a message comes or the flow's
/// reconciliation reminder ticks (a minute), and a real-time flow must be warm before that. So once the silo is active,
/// and whenever the membership declares a silo dead, every flow of the catalog is asked for its status, and every
/// step of a running real-time flow too, in the background, a few at a time. After a death only the oldest active
/// silo does it, so the survivors do not all repeat it. Asking is idempotent: several silos doing it at once, or a
/// flow that is already active, change nothing.
/// </summary>
internal sealed partial class RunningFlowsResumption(
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    ILogger<RunningFlowsResumption> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int Parallelism = 4;

    private readonly CancellationTokenSource _stopping = new();
    private Task _resuming = Task.CompletedTask;
    private Task _watching = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RunningFlowsResumption), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: warming real-time flows up takes container starts, and the silo should serve meanwhile.
        _resuming = Task.Run(() => ResumeAsync(_stopping.Token), CancellationToken.None);
        _watching = Task.Run(() => WatchDeathsAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_resuming, _watching).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Resumes the running flows whenever the membership declares a silo dead, if this is the oldest active silo.</summary>
    private async Task WatchDeathsAsync(CancellationToken cancellationToken)
    {
        var dead = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress).ToHashSet();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                var died = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead && dead.Add(m.SiloAddress)).Select(m => m.SiloAddress).ToArray();
                var oldest = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active)
                    .OrderBy(m => m.SiloAddress.Generation).ThenBy(m => m.SiloAddress.ToParsableString(), StringComparer.Ordinal)
                    .FirstOrDefault();
                if (died.Length > 0 && oldest?.SiloAddress == silo.SiloAddress)
                {
                    LogSiloDied(logger, string.Join(", ", died.Select(d => d.ToParsableString())));
                    await ResumeAsync(cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the silo is stopping
        }
    }

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var flowIds = await grains.GetGrain<IFlowCatalogGrain>(CatalogKeys.Cluster).ListAsync();
            var running = 0;
            await Parallel.ForEachAsync(flowIds, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (flowId, _) =>
            {
                try
                {
                    var status = await grains.GetGrain<IFlowGrain>(flowId).GetStatusAsync();
                    if (status.Lifecycle is FlowLifecycle.Running or FlowLifecycle.WarmingUp)
                    {
                        Interlocked.Increment(ref running);
                        if (status.Mode == FlowMode.Realtime)
                        {
                            // A step whose activation died with its silo takes its run up as it activates.
                            await Task.WhenAll(status.Steps.Select(step => grains.GetGrain<IStepGrain>(FlowStreams.StepKey(flowId, step.StepId)).GetStatusAsync()));
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFlowNotResumed(logger, flowId, e);
                }
            });
            LogResumed(logger, running, flowIds.Count);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the silo is stopping
        }
        catch (Exception e)
        {
            LogCatalogUnavailable(logger, e);
        }
    }

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Silo(s) {Silos} declared dead: this silo, the oldest active one, wakes the running flows and their steps")]
    private static partial void LogSiloDied(ILogger logger, string silos);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "{Running} of {Flows} running flows woken (at start, or after a silo died)")]
    private static partial void LogResumed(ILogger logger, int running, int flows);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Flow {FlowId} could not be woken; it resumes with its next message or its reconciliation reminder")]
    private static partial void LogFlowNotResumed(ILogger logger, string flowId, Exception exception);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "The flow catalog could not be read; running flows resume with their next message or their reconciliation reminder")]
    private static partial void LogCatalogUnavailable(ILogger logger, Exception exception);
}

/// <summary>Registers <see cref="RunningFlowsResumption"/>.</summary>
public static class RunningFlowsResumptionExtensions
{
    public static IServiceCollection AddRunningFlowsResumption(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, RunningFlowsResumption>());
        return services;
    }
}
