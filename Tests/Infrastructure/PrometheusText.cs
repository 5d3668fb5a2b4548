using System.Globalization;
using System.Text.RegularExpressions;

namespace FlowActors.Tests.Infrastructure;

/// <summary>Reads samples from a Prometheus text exposition (what a scrape of <c>/metrics</c> returns).</summary>
public sealed partial class PrometheusText(string text)
{
    private readonly (string Name, Dictionary<string, string> Labels, double Value)[] _samples = Parse(text);

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include every pair of <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).Sum(s => s.Value);

    private static (string, Dictionary<string, string>, double)[] Parse(string text) =>
        [.. text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => Sample().Match(line))
            .Where(match => match.Success)
            .Select(match => (
                match.Groups["name"].Value,
                Label().Matches(match.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value),
                double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)))];

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)""")]
    private static partial Regex Sample();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
