namespace FlowActors.Bench.Harness;

/// <summary>Where the figures were measured, printed with them because they mean nothing without it.</summary>
internal sealed record Machine(string Cpu, int Cores, string Os, string Runtime, DateTimeOffset Date)
{
    public static Machine Current() => new(CpuModel(), Environment.ProcessorCount, Environment.OSVersion.ToString(),
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, DateTimeOffset.UtcNow);

    private static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        var line = File.Exists(cpuInfo) ? File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
        return line?[(line.IndexOf(':') + 1)..].Trim() ?? "unknown";
    }
}
