using System.Text.Json.Nodes;
using FlowActors.Cli.Api;

namespace FlowActors.Cli.Commands;

/// <summary><c>flowactors start FLOW</c> and <c>flowactors stop FLOW</c>.</summary>
public static class LifecycleCommands
{
    public const string StartHelp = """
        Usage: flowactors start FLOW [--no-wait] [--timeout SECONDS]

        Starts the flow's newest published revision and waits until it runs (a real-time flow warms up first).
          --no-wait           return once the silo has the start
          --timeout SECONDS   how long to wait (default 120); exit 6 when it runs out, exit 1 when the flow fails
        """;

    public const string StopHelp = """
        Usage: flowactors stop FLOW

        Stops the flow; a real-time flow's components stop with it.
        """;

    public static async Task<int> StartAsync(ApiClient api, Output output, string flowId, bool wait, TimeSpan timeout, CancellationToken ct)
    {
        var status = await api.PostAsync($"/api/flows/{flowId}/start", null, ct);
        if (wait)
        {
            status = await FlowWaits.UntilRunningAsync(api, flowId, timeout, ct);
        }

        output.Result(JsonNode.Parse(status.GetRawText()));
        output.Text($"flow {flowId}: {status.GetProperty("lifecycle").GetString()} (revision {status.GetProperty("runningRevision").GetInt32()}, {status.GetProperty("mode").GetString()})");
        return ExitCodes.Ok;
    }

    public static async Task<int> StopAsync(ApiClient api, Output output, string flowId, CancellationToken ct)
    {
        var status = await api.PostAsync($"/api/flows/{flowId}/stop", null, ct);
        output.Result(JsonNode.Parse(status.GetRawText()));
        output.Text($"flow {flowId}: {status.GetProperty("lifecycle").GetString()}");
        return ExitCodes.Ok;
    }
}
