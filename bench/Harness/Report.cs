using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FlowActors.Bench.Harness;

/// <summary>Prints results as a markdown table and writes the same figures as JSON.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string Markdown(Machine machine, IReadOnlyList<BenchResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine.Cpu}, {machine.Cores} cores, {machine.Os}, {machine.Runtime}; {machine.Date:yyyy-MM-dd}");
        text.AppendLine();
        text.AppendLine("| suite | row | samples | p50 | p90 | p99 | value | unit |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Suite} | {r.Name} | {r.Samples} | {Format(r.P50)} | {Format(r.P90)} | {Format(r.P99)} | {Format(r.Value)} | {r.Unit} |");
        }

        return text.ToString();
    }

    public static async Task WriteJsonAsync(string path, Machine machine, IReadOnlyList<BenchResult> results, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, new { machine, results }, Json, cancellationToken);
    }

    private static string Format(double? value) => value switch
    {
        null => "",
        >= 100 => value.Value.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => value.Value.ToString("F1", CultureInfo.InvariantCulture),
        >= 1 => value.Value.ToString("F2", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("F3", CultureInfo.InvariantCulture),
    };
}
