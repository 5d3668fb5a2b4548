using FlowActors.Grains.Interfaces.Triggers;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Triggers;

/// <summary>
/// The flow's side of its triggers, the one place a flow grain reaches them: a run that starts (or resumes) starts
/// them, a run that ends stops them. A trigger that could not be told finds out itself at its next heartbeat, by
/// asking the flow; so these never fail the flow's own operation.
/// </summary>
public static partial class FlowTriggers
{
    public static Task StartAsync(IGrainFactory grains, string flowId, TriggerRun run, ILogger logger) =>
        TellAsync(grains, flowId, logger, "start", trigger => trigger.FlowStartedAsync(run));

    public static Task StopAsync(IGrainFactory grains, string flowId, ILogger logger) =>
        TellAsync(grains, flowId, logger, "stop", trigger => trigger.FlowStoppedAsync());

    private static async Task TellAsync(IGrainFactory grains, string flowId, ILogger logger, string what, Func<IFlowTriggerGrain, Task> tell)
    {
        IFlowTriggerGrain[] triggers = [grains.GetGrain<IScheduleGrain>(flowId), grains.GetGrain<IServiceBusTriggerGrain>(flowId)];
        await Task.WhenAll(triggers.Select(async trigger =>
        {
            try
            {
                await tell(trigger);
            }
            catch (Exception e)
            {
                LogNotTold(logger, flowId, what, trigger.GetType().Name, e);
            }
        }));
    }

    [LoggerMessage(EventId = 7000, Level = LogLevel.Warning, Message = "Flow {FlowId} could not {What} its trigger {Trigger}; the trigger checks the flow at its next heartbeat")]
    private static partial void LogNotTold(ILogger logger, string flowId, string what, string trigger, Exception exception);
}
