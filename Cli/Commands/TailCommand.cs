using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowActors.Cli.Api;

namespace FlowActors.Cli.Commands;

/// <summary><c>flowactors tail FLOW</c>: prints the flow's events as they happen (GET /api/flows/{id}/events).</summary>
public static class TailCommand
{
    public const string Help = """
        Usage: flowactors tail FLOW [--count N]

        Prints the flow's outputs, HTTP replies and errors as they happen, one line each, until Ctrl+C (or N events);
        with --output json, one JSON object per line. "Following FLOW" on stderr says the subscription is in place:
        what is sent to the flow after that shows up.
        """;

    public static async Task<int> RunAsync(ApiClient api, Output output, string flowId, int? count, CancellationToken ct)
    {
        using var response = await api.RawAsync(HttpMethod.Get, $"/api/flows/{flowId}/events", null, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw ApiClient.Problem(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var seen = 0;
        var eventName = "";
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.StartsWith(": following", StringComparison.Ordinal))
                {
                    output.Error.WriteLine($"Following {flowId} (Ctrl+C to stop).");
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    eventName = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    var data = line["data: ".Length..];
                    if (eventName == "overflow")
                    {
                        throw new CliException(ExitCodes.Failed, JsonDocument.Parse(data).RootElement.GetProperty("error").GetString()!);
                    }

                    Print(output, data);
                    if (++seen == count)
                    {
                        return ExitCodes.Ok;
                    }
                }
                else if (line.Length == 0)
                {
                    eventName = "";
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return ExitCodes.Ok; // Ctrl+C
        }

        throw new CliException(ExitCodes.Unreachable, $"The silo at {api.BaseAddress} closed the event stream.");
    }

    private static void Print(Output output, string data)
    {
        if (output.Json)
        {
            output.Line(JsonNode.Parse(data));
            return;
        }

        var e = JsonDocument.Parse(data).RootElement;
        var what = e.GetProperty("kind").GetString() == "Error"
            ? e.GetProperty("error").GetString()
            : Output.OneLine(e.GetProperty("body"));
        var total = e.GetProperty("path").EnumerateArray().Sum(s => TimeSpan.Parse(s.GetProperty("elapsed").GetString()!, CultureInfo.InvariantCulture).TotalMilliseconds);
        output.Out.WriteLine(
            $"{DateTime.Now:HH:mm:ss.fff}  {e.GetProperty("executionId").GetString()}  {e.GetProperty("kind").GetString(),-9} {e.GetProperty("step").GetString()}  {what}  ({total:0.0} ms in steps)");
        output.Out.Flush();
    }
}
