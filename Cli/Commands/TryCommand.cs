using System.Text.Json;
using System.Text.Json.Nodes;
using FlowActors.Cli.Api;

namespace FlowActors.Cli.Commands;

/// <summary><c>flowactors try FLOW JSON [--step STEP]</c>: runs the draft (or one step of it) on a sample, nothing counted or sent on.</summary>
public static class TryCommand
{
    public const string Help = """
        Usage: flowactors try FLOW [JSON | -] [--step STEP] [--file PATH]

        Tries the flow's draft on a sample message without running the flow (it may be stopped, or never published):
        each step's mapping, its component (the newest revision, started for the try and stopped after it) and the
        conditions of its edges. Prints, per step, what the component was called with, what it emitted and which edges
        each output took; --output json prints the silo's whole answer. With --step, only that step. Nothing is counted
        and nothing reaches the flow's steps. The sample is the JSON argument, or stdin with '-', or --file.
        Exit 1 when a step failed (its error names the step), 4 when the flow or step does not exist.
        """;

    public static async Task<int> RunAsync(ApiClient api, Output output, string flowId, string? stepId, string body, CancellationToken ct)
    {
        JsonNode? sample;
        try
        {
            sample = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCodes.Usage, $"The sample is not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}); quote it for the shell, e.g. '{{\"name\":\"ada\"}}'.");
        }

        var request = new JsonObject { ["body"] = sample };
        var path = stepId is null ? $"/api/flows/{flowId}/try" : $"/api/flows/{flowId}/steps/{Uri.EscapeDataString(stepId)}/try";
        var answer = await api.PostAsync(path, request, ct);
        output.Result(JsonNode.Parse(answer.GetRawText()));
        var steps = stepId is null ? answer.GetProperty("steps").EnumerateArray().ToArray() : [answer];
        foreach (var step in steps)
        {
            Print(output, step);
        }

        var error = answer.GetProperty("error");
        if (error.ValueKind == JsonValueKind.String)
        {
            throw new CliException(ExitCodes.Failed, error.GetString()!);
        }

        return ExitCodes.Ok;
    }

    private static void Print(Output output, JsonElement step)
    {
        var revision = step.GetProperty("revision").GetInt32();
        output.Text($"step '{step.GetProperty("stepId").GetString()}'" + (revision > 0 ? $" (revision {revision})" : "") + ":");
        if (step.GetProperty("mapped") is { ValueKind: JsonValueKind.Array } mapped)
        {
            foreach (var input in mapped.EnumerateArray())
            {
                output.Text($"  called with {input.GetRawText()}");
            }
        }

        foreach (var emit in step.GetProperty("emits").EnumerateArray())
        {
            var kind = emit.GetProperty("kind").GetString();
            var body = emit.GetProperty("body");
            var taken = emit.GetProperty("edges").EnumerateArray().Where(e => e.GetProperty("taken").GetBoolean()).Select(e => e.GetProperty("to").GetString()).ToArray();
            var edges = emit.GetProperty("edges").GetArrayLength() == 0 ? "" : taken.Length == 0 ? "  → no edge (unrouted)" : $"  → {string.Join(", ", taken)}";
            var error = emit.GetProperty("error") is { ValueKind: JsonValueKind.String } e ? $" {e.GetString()}" : "";
            output.Text($"  {kind} {(body.ValueKind == JsonValueKind.Null ? "" : body.GetRawText())}{error}{edges}");
        }
    }
}
