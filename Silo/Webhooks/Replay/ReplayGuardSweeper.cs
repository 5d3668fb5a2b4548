using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Webhooks.Replay;

/// <summary>
/// Deletes signatures that no request can present any more (their timestamp is out of the tolerance window, with a
/// minute's margin for clocks that differ between silos), once a minute. Every silo sweeps: deletes are idempotent.
/// </summary>
internal sealed partial class ReplayGuardSweeper(
    IReplayGuard guard, IOptions<WebhookOptions> options, TimeProvider time, ILogger<ReplayGuardSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var before = time.GetUtcNow() - options.Value.SignatureTolerance - Period;
            try
            {
                if (await guard.ForgetBeforeAsync(before.ToUnixTimeSeconds(), stoppingToken) is > 0 and var forgotten)
                {
                    LogSwept(logger, forgotten);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Kept a minute longer: the next sweep deletes them.
                LogSweepFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 9321, Level = LogLevel.Debug, Message = "Forgot {Count} webhook signatures whose timestamps left the tolerance window")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(EventId = 9322, Level = LogLevel.Warning, Message = "Could not delete expired webhook signatures; trying again in a minute")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
