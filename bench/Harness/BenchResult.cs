namespace FlowActors.Bench.Harness;

/// <summary>
/// One row: a latency distribution (<see cref="P50"/>, <see cref="P90"/>, <see cref="P99"/> over <see cref="Samples"/>)
/// or a single figure (<see cref="Value"/>), in <see cref="Unit"/>.
/// </summary>
internal sealed record BenchResult(string Suite, string Name, string Unit, int Samples, double? P50, double? P90, double? P99, double? Value)
{
    public static BenchResult Distribution(string suite, string name, string unit, IReadOnlyList<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return new(suite, name, unit, sorted.Length, Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 99), null);
    }

    public static BenchResult Single(string suite, string name, string unit, double value) => new(suite, name, unit, 1, null, null, null, value);

    // Nearest rank: a reported percentile is always a measured sample.
    private static double Percentile(double[] sorted, int percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
