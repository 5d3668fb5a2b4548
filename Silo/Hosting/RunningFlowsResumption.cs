using System.Collections.Concurrent;
using System.Diagnostics;
using FlowActors.Client;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Catalog;
using FlowActors.Grains.Interfaces.Flows;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Hosting;

/// <summary>
/// Wakes the flows that were running when the cluster last stopped, and those a dead silo held. A flow grain whose
/// stored state says <see cref="FlowLifecycle.Running"/> picks its run up when it activates (a real-time flow warms
/// its steps up again), and a real-time step grain whose state holds a lease takes its run up when it activates; but
/// nothing activates them after a restart, or after their silo died, until a message comes or the flow's
/// reconciliation reminder ticks (a minute), and a real-time flow must be warm before that. So once the silo is active,
/// and whenever the membership declares a silo dead, every flow of the catalog is woken (<see cref="IFlowGrain.WakeAsync"/>:
/// a running real-time flow asks each of its steps where it is), in the background, a few at a time, and asked again
/// until every one has answered with its steps taking their run up: a wake-up that met the dead silo (a call routed
/// there before every silo saw the death, a step not reachable yet) is retried, not lost. After a death only the oldest
/// active silo does it, so the survivors do not all repeat it. Waking is idempotent: several silos doing it at once, or
/// a flow that is already active, change nothing.
/// </summary>
internal sealed partial class RunningFlowsResumption(
    IGrainFactory grains,
    IOptions<FlowOptions> options,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    ILogger<RunningFlowsResumption> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int Parallelism = 4;

    /// <summary>Longest one wake-up call may take before it is asked again: a call to a dead silo's grain can wait longer.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

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

    /// <summary>
    /// Wakes every flow of the catalog, and asks again, backing off, those that did not answer or whose real-time steps
    /// are not all taking their run up (a call that met the dead silo, a step that could not be reached yet), until every
    /// one has or the flows' reconciliation period has passed: then their reminders take over.
    /// </summary>
    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var clock = Stopwatch.StartNew();
            var flowIds = await ListFlowsAsync(clock, cancellationToken);
            var pending = flowIds;
            var running = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            for (var attempt = 0; pending.Count > 0; attempt++)
            {
                if (attempt > 0)
                {
                    if (clock.Elapsed > options.Value.ReconcilePeriod)
                    {
                        LogFlowsNotWoken(logger, pending.Count, string.Join(", ", pending.Take(10)));
                        break;
                    }

                    await Task.Delay(Backoff(attempt), cancellationToken);
                }

                var unanswered = new ConcurrentBag<string>();
                await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (flowId, _) =>
                {
                    if (await WakeAsync(flowId, attempt, cancellationToken) is { } isRunning)
                    {
                        running[flowId] = isRunning;
                    }
                    else
                    {
                        unanswered.Add(flowId);
                    }
                });
                pending = [.. unanswered];
            }

            LogResumed(logger, running.Count(r => r.Value), flowIds.Count, clock.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the silo is stopping
        }
        catch (Exception e)
        {
            // The catalog did not answer within the reconciliation period: the flows' reminders take them up.
            LogCatalogUnavailable(logger, e.Message);
        }
    }

    /// <summary>The catalog's flows; asked again until the catalog answers (its grain may have died with the silo).</summary>
    private async Task<IReadOnlyList<string>> ListFlowsAsync(Stopwatch clock, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await grains.GetGrain<IFlowCatalogGrain>(CatalogKeys.Cluster).ListAsync().WaitAsync(CallTimeout, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException && clock.Elapsed < options.Value.ReconcilePeriod)
            {
                LogCatalogUnavailable(logger, e.Message);
                await Task.Delay(Backoff(attempt + 1), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Wakes one flow: true when it runs, false when it does not; null when it must be asked again (it did not answer,
    /// or a step of its real-time run is not taking its run up).
    /// </summary>
    private async Task<bool?> WakeAsync(string flowId, int attempt, CancellationToken cancellationToken)
    {
        try
        {
            var status = await grains.GetGrain<IFlowGrain>(flowId).WakeAsync().WaitAsync(CallTimeout, cancellationToken);
            var running = status.Lifecycle is FlowLifecycle.Running or FlowLifecycle.WarmingUp;
            if (running && status.Mode == FlowMode.Realtime && status.Steps.FirstOrDefault(s => s.Phase is StepPhase.Idle or StepPhase.Failed) is { } step)
            {
                LogStepNotTakenUp(logger, flowId, step.StepId, step.Phase, attempt + 1, step.Error ?? "");
                return null;
            }

            return running;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFlowNotWoken(logger, flowId, attempt + 1, e.Message);
            return null;
        }
    }

    /// <summary>0.5 s, 1 s, 2 s, then every 4 s: the dead silo's grains come back within seconds of its death.</summary>
    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(4000, 250 << Math.Min(attempt, 4)));

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Silo(s) {Silos} declared dead: this silo, the oldest active one, wakes the running flows and their steps")]
    private static partial void LogSiloDied(ILogger logger, string silos);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "{Running} of {Flows} flows run, every one woken after {Seconds:F1} s (at start, or after a silo died)")]
    private static partial void LogResumed(ILogger logger, int running, int flows, double seconds);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Flow {FlowId} did not answer its wake-up (attempt {Attempt}): {Reason}; asking again")]
    private static partial void LogFlowNotWoken(ILogger logger, string flowId, int attempt, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "The flow catalog could not be read ({Reason}); asking again")]
    private static partial void LogCatalogUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Flow {FlowId}: step {StepId} is {Phase} after wake-up attempt {Attempt} {Error}; asking again")]
    private static partial void LogStepNotTakenUp(ILogger logger, string flowId, string stepId, StepPhase phase, int attempt, string error);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "{Count} flow(s) did not answer their wake-up within their reconciliation period ({Flows}); their reminders take them up")]
    private static partial void LogFlowsNotWoken(ILogger logger, int count, string flows);
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
