using FlowActors.Client;

namespace FlowActors.Grains.Delivery;

/// <summary>
/// A step's retry policy with every field resolved (flow's and step's over the silo's defaults), and its backoff:
/// <see cref="Delay"/>.
/// </summary>
internal readonly record struct RetryPolicy(int MaxAttempts, TimeSpan FirstRetryDelay, TimeSpan MaxRetryDelay, bool KeepOrder)
{
    /// <param name="keepOrder">The step's own <c>keepOrder</c>, over the delivery policy's.</param>
    public static RetryPolicy Resolve(DeliveryPolicy? plan, StepRetryOptions defaults, bool? keepOrder = null) => new(
        plan?.MaxAttempts ?? defaults.MaxAttempts,
        plan?.FirstRetryDelay ?? defaults.FirstRetryDelay,
        plan?.MaxRetryDelay ?? defaults.MaxRetryDelay,
        keepOrder ?? plan?.KeepOrder ?? defaults.KeepOrder);

    /// <summary>
    /// The wait after failed try number <paramref name="failed"/> (1 for the first): the first delay doubled per
    /// earlier failure, capped, then jittered to between half and all of it (<paramref name="jitter"/> in [0, 1)), so
    /// that messages that failed together do not all come back together.
    /// </summary>
    public TimeSpan Delay(int failed, double jitter)
    {
        var nominal = FirstRetryDelay.Ticks * Math.Pow(2, Math.Min(failed - 1, 62));
        var capped = Math.Min(nominal, MaxRetryDelay.Ticks);
        return TimeSpan.FromTicks((long)(capped * (0.5 + (jitter * 0.5))));
    }
}
