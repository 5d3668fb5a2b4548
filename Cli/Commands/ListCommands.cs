using System.Text.Json;
using System.Text.Json.Nodes;
using FlowActors.Cli.Api;

namespace FlowActors.Cli.Commands;

/// <summary><c>flowactors flows</c> and <c>flowactors components</c>: what the silo holds, as a table or as the API's JSON.</summary>
public static class ListCommands
{
    public const string FlowsHelp = """
        Usage: flowactors flows

        Lists every flow: its lifecycle, mode, newest published and running revisions, and whether its draft has
        unpublished changes. With --output json, the API's answer (GET /api/flows).
        """;

    public const string ComponentsHelp = """
        Usage: flowactors components

        Lists every component with its newest revision, what it runs and its actions. With --output json, the API's
        answer (GET /api/components).
        """;

    public static async Task<int> FlowsAsync(ApiClient api, Output output, CancellationToken ct)
    {
        var flows = await api.GetAsync("/api/flows", ct);
        output.Result(JsonNode.Parse(flows.GetRawText()));
        Table(output, ["FLOW", "LIFECYCLE", "MODE", "PUBLISHED", "RUNNING", "UNPUBLISHED CHANGES"], flows.EnumerateArray()
            .OrderBy(f => f.GetProperty("flowId").GetString(), StringComparer.Ordinal)
            .Select(f => new[]
            {
                f.GetProperty("flowId").GetString()!,
                f.GetProperty("lifecycle").GetString()!,
                f.GetProperty("mode").GetString()!,
                Revision(f.GetProperty("publishedRevision")),
                f.GetProperty("lifecycle").GetString() is "Running" or "WarmingUp" ? Revision(f.GetProperty("runningRevision")) : "-",
                f.GetProperty("unpublishedChanges").GetBoolean() ? "yes" : "no",
            }));
        return ExitCodes.Ok;
    }

    public static async Task<int> ComponentsAsync(ApiClient api, Output output, CancellationToken ct)
    {
        var components = await api.GetAsync("/api/components", ct);
        output.Result(JsonNode.Parse(components.GetRawText()));
        Table(output, ["COMPONENT", "REVISION", "RUNS", "ACTIONS"], components.EnumerateArray()
            .OrderBy(c => c.GetProperty("componentId").GetString(), StringComparer.Ordinal)
            .Select(c =>
            {
                var launch = c.GetProperty("launch");
                var descriptor = c.GetProperty("descriptor");
                var command = launch.GetProperty("command").ValueKind == JsonValueKind.String
                    ? string.Join(' ', [launch.GetProperty("command").GetString()!, .. launch.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!)])
                    : "";
                var image = launch.GetProperty("image").GetString();
                return new[]
                {
                    c.GetProperty("componentId").GetString()!,
                    c.GetProperty("revision").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    string.Join(" | ", new[] { command, image is null ? "" : $"image {image}" }.Where(s => s.Length > 0)),
                    string.Join(", ", descriptor.GetProperty("triggers").EnumerateArray().Concat(descriptor.GetProperty("actions").EnumerateArray()).Select(a => a.GetString())),
                };
            }));
        return ExitCodes.Ok;
    }

    /// <summary>Left-aligned columns, two spaces apart, text mode only.</summary>
    public static void Table(Output output, string[] headings, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(headings).ToArray();
        var widths = headings.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            output.Text(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static string Revision(JsonElement revision) =>
        revision.GetInt32() is var r and > 0 ? r.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";
}
