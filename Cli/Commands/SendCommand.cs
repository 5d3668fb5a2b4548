using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowActors.Cli.Api;

namespace FlowActors.Cli.Commands;

/// <summary><c>flowactors send FLOW JSON</c>: sends a message and prints the reply's body (or, without waiting, the execution id).</summary>
public static class SendCommand
{
    public const string Help = """
        Usage: flowactors send FLOW [JSON | -] [--file PATH] [--no-wait] [--timeout SECONDS]

        Sends a JSON message to the flow and prints the body of its first output or HTTP reply on stdout (step and
        timings on stderr); --output json prints the whole reply. The message is the JSON argument, or stdin with '-',
        or the contents of --file.
          --no-wait           print the execution id at once instead; 'flowactors execution FLOW ID' shows its outputs later
          --timeout SECONDS   how long to wait for the reply (default 30; the silo caps it at FlowActors:Api:MaxReplyWait)
        Exit 1 when the execution failed (the error names the step), 6 when no reply came in time.
        """;

    public static async Task<int> RunAsync(ApiClient api, Output output, string flowId, string body, bool wait, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            using var _ = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCodes.Usage, $"The message is not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}); quote it for the shell, e.g. '{{\"name\":\"ada\"}}'.");
        }

        var query = wait ? $"?wait=true&timeout={timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}" : "";
        using var response = await api.RawAsync(HttpMethod.Post, $"/api/flows/{flowId}/messages{query}", body, HttpCompletionOption.ResponseContentRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        switch (response.StatusCode)
        {
            case HttpStatusCode.Accepted when !wait:
                var accepted = JsonDocument.Parse(text).RootElement;
                output.Result(JsonNode.Parse(text));
                output.Text(accepted.GetProperty("executionId").GetString()!);
                return ExitCodes.Ok;
            case HttpStatusCode.Accepted:
                var pending = JsonDocument.Parse(text).RootElement.GetProperty("executionId").GetString();
                throw new CliException(ExitCodes.TimedOut,
                    $"No reply within {timeout.TotalSeconds:0} s; execution {pending} goes on. See it later with: flowactors execution {flowId} {pending}");
            case HttpStatusCode.UnprocessableEntity:
                var problem = JsonDocument.Parse(text).RootElement;
                throw new CliException(ExitCodes.Failed,
                    $"Execution {problem.GetProperty("executionId").GetString()} failed at step '{problem.GetProperty("step").GetString()}': {problem.GetProperty("detail").GetString()}");
            case HttpStatusCode.OK:
                var reply = JsonDocument.Parse(text).RootElement;
                output.Result(JsonNode.Parse(text));
                output.Text(Output.Pretty(reply.GetProperty("body")));
                var path = string.Join(" → ", reply.GetProperty("path").EnumerateArray().Select(s =>
                    $"{s.GetProperty("stepId").GetString()} {TimeSpan.Parse(s.GetProperty("elapsed").GetString()!, CultureInfo.InvariantCulture).TotalMilliseconds:0.0} ms"));
                output.Progress($"execution {reply.GetProperty("executionId").GetString()}: {reply.GetProperty("kind").GetString()} from step '{reply.GetProperty("step").GetString()}' ({path})");
                return ExitCodes.Ok;
            default:
                throw ApiClient.Problem(response.StatusCode, text);
        }
    }

    /// <summary>The message: the argument, stdin for '-', or a file.</summary>
    public static string Body(CommandLine line, Output output)
    {
        var file = line.Option("file");
        var argument = line.Arguments.Count > 1 ? line.Arguments[1] : null;
        if (file is not null && argument is not null)
        {
            throw new CliException(ExitCodes.Usage, "Give the message as an argument or with --file, not both.");
        }

        if (file is "-" || argument is "-")
        {
            return Console.In.ReadToEnd();
        }

        if (file is not null)
        {
            return File.Exists(file) ? File.ReadAllText(file) : throw new CliException(ExitCodes.Usage, $"--file '{file}' does not exist.");
        }

        return argument ?? throw new CliException(ExitCodes.Usage, "Missing the message: flowactors send FLOW '{\"name\":\"ada\"}' (or '-' to read stdin).");
    }
}
