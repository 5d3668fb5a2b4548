using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlowActors.Tests.Isolation;

/// <summary>
/// What the sample <c>probe</c> component (Components/Samples/ProbeComponent) found from inside: its user, its network
/// interfaces, the names of its environment variables, and what happened to each connection and read it tried.
/// </summary>
internal sealed record ProbeReport(
    string User,
    IReadOnlyList<string> Interfaces,
    IReadOnlyList<string> Environment,
    IReadOnlyDictionary<int, string> Connections,
    IReadOnlyDictionary<string, string> Reads)
{
    /// <summary>What a connection that got through reports; anything else (refused, unreachable, timeout) did not.</summary>
    public const string Connected = "connected";

    /// <summary>The body that asks the probe to connect to <paramref name="ports"/> on 127.0.0.1 and read <paramref name="paths"/>.</summary>
    public static string Request(IEnumerable<int> ports, IEnumerable<string>? paths = null) => new JsonObject
    {
        ["connect"] = new JsonArray([.. ports.Select(port => (JsonNode)new JsonObject { ["host"] = "127.0.0.1", ["port"] = port })]),
        ["read"] = new JsonArray([.. (paths ?? []).Select(path => (JsonNode)JsonValue.Create(path))]),
    }.ToJsonString();

    public static ProbeReport Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        return new ProbeReport(
            root.GetProperty("user").GetString()!,
            [.. root.GetProperty("interfaces").EnumerateArray().Select(e => e.GetString()!)],
            [.. root.GetProperty("environment").EnumerateArray().Select(e => e.GetString()!)],
            root.GetProperty("connect").EnumerateArray().ToDictionary(e => e.GetProperty("port").GetInt32(), e => e.GetProperty("outcome").GetString()!),
            root.GetProperty("read").EnumerateArray().ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("outcome").GetString()!));
    }

    /// <summary>Fails naming every port in <paramref name="ports"/> the component could connect to.</summary>
    public void AssertNoneConnected(IReadOnlyDictionary<string, int> ports)
    {
        var reached = ports.Where(port => Connections[port.Value] == Connected).Select(port => $"{port.Key} ({port.Value})").ToList();
        Assert.IsEmpty(reached, $"The component connected to the silo's {string.Join(", ", reached)}. All outcomes: {Describe(Connections)}");
    }

    /// <summary>
    /// Fails naming every variable beyond <paramref name="allowed"/> (exact names) and the platform's own
    /// (<c>FLOWACTORS_</c>): a component must get nothing of the silo's environment it was not meant to.
    /// </summary>
    public void AssertEnvironmentWithin(IEnumerable<string> allowed)
    {
        var expected = allowed.ToHashSet(StringComparer.Ordinal);
        var extra = Environment.Where(name => !expected.Contains(name) && !name.StartsWith("FLOWACTORS_", StringComparison.Ordinal)).ToList();
        Assert.IsEmpty(extra, $"The component's environment has variables nobody gave it: {string.Join(", ", extra)}");
    }

    public static string Describe<TKey>(IReadOnlyDictionary<TKey, string> outcomes)
        where TKey : notnull => string.Join(", ", outcomes.Select(pair => $"{pair.Key}: {pair.Value}"));
}
