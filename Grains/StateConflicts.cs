using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace FlowActors.Grains;

/// <summary>
/// One activation per grain's state. Storage refuses a write whose ETag is stale (<see cref="InconsistentStateException"/>,
/// a 412 from Azure): another activation of the grain wrote since this one read, which happens when two activations
/// overlap after a silo dies (docs/decisions.md, "One activation per grain's state"). Such an activation's memory is
/// behind what is stored and every later write of it would be refused too, so it ends at once: the next call activates
/// the grain again from what is stored. Orleans does this by itself only when the exception escapes a grain call; writes
/// from timers and background work, whose failures are caught and logged, go through here.
/// </summary>
internal static partial class StateConflicts
{
    /// <summary>True when <paramref name="exception"/> (or one it wraps) is a write refused for its ETag.</summary>
    public static bool IsConflict(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is InconsistentStateException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// When <paramref name="exception"/> is a write refused for its ETag, deactivates <paramref name="activation"/> (once:
    /// a deactivating activation ignores it) and answers true; otherwise false, and nothing happens.
    /// </summary>
    public static bool EndActivationIfConflict(IGrainContext activation, Exception exception, ILogger logger)
    {
        if (!IsConflict(exception))
        {
            return false;
        }

        LogConflict(logger, activation.GrainId.ToString());
        activation.Deactivate(new DeactivationReason(
            DeactivationReasonCode.ApplicationError,
            "Another activation wrote this grain's state since this one read it (a stale ETag): this activation ends, the next reads what is stored."));
        return true;
    }

    [LoggerMessage(EventId = 9300, Level = LogLevel.Warning, Message = "Grain {GrainId}: another activation wrote its state since this one read it (stale ETag); this activation ends and the next one reads the stored state")]
    private static partial void LogConflict(ILogger logger, string grainId);
}
