using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowActors.Cli.Api;

namespace FlowActors.Cli.Commands;

/// <summary><c>flowactors execution FLOW ID</c> and <c>flowactors executions FLOW</c>: what ran, how long each step took, what came out.</summary>
public static class ExecutionCommands
{
    public const string ExecutionHelp = """
        Usage: flowactors execution FLOW EXECUTION_ID

        Shows one recent execution: its status, each step's time, the failing step and error, and its outputs (bodies
        kept up to FlowActors:Executions:MaxOutputBytes; a cut body says so). Exit 4 when the silo has no record of it.
        """;

    public const string ExecutionsHelp = """
        Usage: flowactors executions FLOW [--limit N]

        Lists the flow's recent executions, most recently updated first (default 20, at most 1000).
        """;

    public static async Task<int> ShowAsync(ApiClient api, Output output, string flowId, string executionId, CancellationToken ct)
    {
        var execution = await api.GetAsync($"/api/flows/{flowId}/executions/{Uri.EscapeDataString(executionId)}", ct);
        output.Result(JsonNode.Parse(execution.GetRawText()));
        output.Text($"execution {executionId} of flow {flowId}: {execution.GetProperty("status").GetString()}");
        output.Text($"  steps:  {Steps(execution)}");
        if (execution.GetProperty("error").GetString() is { } error)
        {
            // A component that could not start brings its exit code and last stderr lines: each on a line of its own.
            var lines = error.Split('\n');
            output.Text($"  failed at step '{execution.GetProperty("failedStep").GetString()}': {lines[0]}");
            foreach (var line in lines.Skip(1))
            {
                output.Text($"    {line}");
            }
        }

        foreach (var o in execution.GetProperty("outputs").EnumerateArray())
        {
            var body = o.GetProperty("body");
            var truncated = o.GetProperty("truncated").GetBoolean();
            output.Text($"  {o.GetProperty("kind").GetString()} from step '{o.GetProperty("stepId").GetString()}'" +
                (truncated ? $" (truncated: {o.GetProperty("bytes").GetInt32()} bytes in all, the first part kept)" : "") + ":");
            var text = body.ValueKind switch
            {
                JsonValueKind.Null => "(not kept: the execution's output budget was spent)",
                JsonValueKind.String when truncated => body.GetString()!,
                _ => Output.Pretty(body),
            };
            foreach (var line in text.Split('\n'))
            {
                output.Text($"    {line}");
            }
        }

        return ExitCodes.Ok;
    }

    public static async Task<int> ListAsync(ApiClient api, Output output, string flowId, int limit, CancellationToken ct)
    {
        var executions = await api.GetAsync($"/api/flows/{flowId}/executions?limit={limit}", ct);
        output.Result(JsonNode.Parse(executions.GetRawText()));
        ListCommands.Table(output, ["EXECUTION", "STATUS", "LAST EVENT", "STEPS"], executions.EnumerateArray().Select(e => new[]
        {
            e.GetProperty("executionId").GetString()!,
            e.GetProperty("status").GetString()!,
            e.GetProperty("lastEventAt").GetDateTimeOffset().ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
            Steps(e),
        }));
        return ExitCodes.Ok;
    }

    private static string Steps(JsonElement execution) => string.Join(" → ", execution.GetProperty("steps").EnumerateArray().Select(s =>
        $"{s.GetProperty("stepId").GetString()} {TimeSpan.Parse(s.GetProperty("elapsed").GetString()!, CultureInfo.InvariantCulture).TotalMilliseconds:0.0} ms"));
}
