namespace FlowActors.Silo.Telemetry;

/// <summary>
/// Log-scaled latency buckets for the console's percentiles: bucket i holds [Min·G^i, Min·G^(i+1)), from 10 µs up to
/// about an hour; a percentile is read as its bucket's geometric middle, within ±12 % of the true value. Pure.
/// </summary>
public static class LatencyBuckets
{
    public const int Count = 88;

    private const double Min = 10e-6;
    private const double Growth = 1.25;
    private static readonly double LogGrowth = Math.Log(Growth);

    /// <summary>The bucket of <paramref name="seconds"/>; values below the first or above the last go to the ends.</summary>
    public static int IndexOf(double seconds) =>
        seconds <= Min || double.IsNaN(seconds) ? 0 : (int)Math.Min(Count - 1, Math.Log(seconds / Min) / LogGrowth);

    /// <summary>The value, in seconds, that stands for bucket <paramref name="index"/>.</summary>
    public static double Middle(int index) => Min * Math.Pow(Growth, index + 0.5);

    /// <summary>The <paramref name="quantile"/> (0..1] of <paramref name="counts"/>, in seconds; null when they are empty.</summary>
    public static double? Quantile(ReadOnlySpan<int> counts, double quantile)
    {
        long total = 0;
        foreach (var count in counts)
        {
            total += count;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return Middle(i);
            }
        }

        return Middle(counts.Length - 1);
    }
}
