using System.Diagnostics;
using System.Globalization;

namespace FlowActors.Tests.Infrastructure;

/// <summary>A process's resident memory, read from <c>/proc</c> (Linux).</summary>
public static class ProcessMemory
{
    /// <summary>The process's resident set now and at its highest (VmRSS, VmHWM), in bytes.</summary>
    public static (long Current, long Peak) Rss(int pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        long Kb(string field) => long.Parse(status.Single(l => l.StartsWith(field, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return (Kb("VmRSS:"), Kb("VmHWM:"));
    }

    /// <summary>
    /// Samples the process's RSS once a second until it stops moving (three samples within 2 MB) or <paramref name="timeout"/>
    /// passes; returns the last sample. Sampling a process from outside has no event to await.
    /// </summary>
    public static async Task<long> SettledRssAsync(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var samples = new List<long> { Rss(pid).Current };
        while (clock.Elapsed < timeout && !(samples.Count >= 3 && samples[^3..].Max() - samples[^3..].Min() < 2 * 1024 * 1024))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            samples.Add(Rss(pid).Current);
        }

        return samples[^1];
    }

    public static string Mb(long bytes) => $"{bytes / (1024.0 * 1024):0} MB";
}
