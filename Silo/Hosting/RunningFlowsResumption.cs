using FlowActors.Grains.Interfaces.Catalog;
using FlowActors.Grains.Interfaces.Flows;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FlowActors.Silo.Hosting;

/// <summary>
/// Wakes the flows that were running when the cluster last stopped. A flow grain whose stored state says
/// <see cref="FlowLifecycle.Running"/> picks its run up when it activates (a real-time flow warms its steps up
/// again), but nothing activates it after a restart until a message comes, and a real-time flow must be warm
/// before that. So once the silo is active, every flow of the catalog is asked for its status, in the background,
/// a few at a time. Asking is idempotent: several silos starting at once, or a flow that is already active, change nothing.
/// </summary>
internal sealed partial class RunningFlowsResumption(IGrainFactory grains, ILogger<RunningFlowsResumption> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private const int Parallelism = 4;

    private readonly CancellationTokenSource _stopping = new();
    private Task _resuming = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RunningFlowsResumption), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: warming real-time flows up takes container starts, and the silo should serve meanwhile.
        _resuming = Task.Run(() => ResumeAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _resuming.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "{Running} of {Flows} flows are running after the silo started")]
    private static partial void LogResumed(ILogger logger, int running, int flows);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Flow {FlowId} could not be activated after the silo started; it resumes with its next message")]
    private static partial void LogFlowNotResumed(ILogger logger, string flowId, Exception exception);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "The flow catalog could not be read after the silo started; running flows resume with their next message")]
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
