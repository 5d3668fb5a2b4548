using System.Globalization;
using System.Text.Json.Nodes;
using FlowActors.Cli.Api;

namespace FlowActors.Cli.Commands;

/// <summary><c>flowactors counters|dead-letters|replay|discard</c>: a flow's books and what its steps gave up on.</summary>
public static class DeadLetterCommands
{
    public const string CountersHelp = """
        Usage: flowactors counters FLOW

        Shows the flow's exact counters: accepted, completed, failed, dead-lettered, duplicates dropped, in flight, and
        messages refused because its backlog was full (FlowActors:Flows:MaxInFlight).
        """;

    public const string DeadLettersHelp = """
        Usage: flowactors dead-letters FLOW [--offset N] [--limit N]

        Lists the flow's dead letters, the newest first (default 20, at most 1000): when, the step, the error, the
        attempts and the execution. -o json prints them whole, with bodies and headers.
        """;

    public const string ReplayHelp = """
        Usage: flowactors replay FLOW DEAD_LETTER_ID [--revision N]

        Sends the dead letter again to the step that gave up on it, and removes it. With --revision, only if that step
        runs that component revision. Prints the execution id. Exit 4 when there is no such dead letter.
        """;

    public const string DiscardHelp = """
        Usage: flowactors discard FLOW DEAD_LETTER_ID

        Removes the dead letter for good. Exit 4 when there is no such dead letter.
        """;

    public static async Task<int> CountersAsync(ApiClient api, Output output, string flowId, CancellationToken ct)
    {
        var c = await api.GetAsync($"/api/flows/{flowId}/counters", ct);
        output.Result(JsonNode.Parse(c.GetRawText()));
        foreach (var property in c.EnumerateObject())
        {
            output.Text($"{property.Name,-18} {property.Value}");
        }

        return ExitCodes.Ok;
    }

    public static async Task<int> ListAsync(ApiClient api, Output output, string flowId, int offset, int limit, CancellationToken ct)
    {
        var page = await api.GetAsync($"/api/flows/{flowId}/dead-letters?offset={offset}&limit={limit}", ct);
        output.Result(JsonNode.Parse(page.GetRawText()));
        var items = page.GetProperty("items").EnumerateArray().ToList();
        ListCommands.Table(output, ["ID", "WHEN", "STEP", "ATTEMPTS", "EXECUTION", "ERROR"], items.Select(d => new[]
        {
            d.GetProperty("id").GetString()!,
            d.GetProperty("deadLetteredAt").GetDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            d.GetProperty("stepId").GetString()!,
            d.GetProperty("attempts").GetArrayLength().ToString(CultureInfo.InvariantCulture),
            d.GetProperty("message").GetProperty("executionId").GetString()!,
            d.GetProperty("error").GetString()!.Split('\n')[0],
        }));

        // The rest of a multi-line error (a component's exit code comes with its last stderr lines) below the table.
        foreach (var d in items.Where(d => d.GetProperty("error").GetString()!.Contains('\n', StringComparison.Ordinal)))
        {
            output.Text($"{d.GetProperty("id").GetString()}:");
            foreach (var line in d.GetProperty("error").GetString()!.Split('\n').Skip(1))
            {
                output.Text($"    {line}");
            }
        }

        output.Text($"{page.GetProperty("total").GetInt32()} kept in all.");
        return ExitCodes.Ok;
    }

    public static async Task<int> ReplayAsync(ApiClient api, Output output, string flowId, string id, int? revision, CancellationToken ct)
    {
        var query = revision is { } r ? $"?revision={r}" : "";
        var accepted = await api.PostAsync($"/api/flows/{flowId}/dead-letters/{Uri.EscapeDataString(id)}/replay{query}", null, ct);
        output.Result(JsonNode.Parse(accepted.GetRawText()));
        // The bare id on stdout, as `send --no-wait` prints it: ID=$(flowactors replay ...) then `execution FLOW "$ID"`.
        output.Text(accepted.GetProperty("executionId").GetString()!);
        output.Progress($"replayed dead letter {id}");
        return ExitCodes.Ok;
    }

    public static async Task<int> DiscardAsync(ApiClient api, Output output, string flowId, string id, CancellationToken ct)
    {
        using var response = await api.RawAsync(HttpMethod.Delete, $"/api/flows/{flowId}/dead-letters/{Uri.EscapeDataString(id)}", null, HttpCompletionOption.ResponseContentRead, ct);
        await ApiClient.ReadAsync(response, ct);
        output.Result(new JsonObject { ["discarded"] = id });
        output.Text($"discarded {id}");
        return ExitCodes.Ok;
    }
}
