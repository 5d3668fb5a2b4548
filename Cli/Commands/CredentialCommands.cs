using System.Text.Json;
using System.Text.Json.Nodes;
using FlowActors.Cli.Api;

namespace FlowActors.Cli.Commands;

/// <summary>
/// <c>flowactors credentials</c> and <c>flowactors credential set|show|delete</c>: named credentials, whose values go in
/// from an environment variable, a file or stdin (never from the command line, which every local user can read in
/// <c>/proc</c>) and never come out.
/// </summary>
public static class CredentialCommands
{
    public const string ListHelp = """
        Usage: flowactors credentials

        Lists every credential: its field names, revision and when it changed (values are never shown). With --output json,
        the API's answer (GET /api/credentials).
        """;

    public const string Help = """
        Usage: flowactors credential set ID FIELD=SOURCE... [--merge]
               flowactors credential show ID
               flowactors credential delete ID

        set      creates the credential or replaces all its fields (a rotation: running flows hand the new values to their
                 next component call). Each SOURCE is env:VARIABLE, file:PATH or - (stdin, for one field). Values never go
                 on the command line. --merge sets only these fields and keeps the others.
        show     its field names and when each changed (values are write-only).
        delete   removes it; steps that name it fail their next call until it is set again.
        """;

    public static async Task<int> ListAsync(ApiClient api, Output output, CancellationToken ct)
    {
        var credentials = await api.GetAsync("/api/credentials", ct);
        output.Result(JsonNode.Parse(credentials.GetRawText()));
        ListCommands.Table(output, ["CREDENTIAL", "REVISION", "FIELDS", "CHANGED"], credentials.EnumerateArray().Select(c => new[]
        {
            c.GetProperty("id").GetString()!,
            c.GetProperty("revision").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            string.Join(", ", c.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString())),
            c.GetProperty("changedAt").GetString()!,
        }));
        return ExitCodes.Ok;
    }

    public static async Task<int> RunAsync(ApiClient api, Output output, CommandLine line, CancellationToken ct)
    {
        var verb = line.Argument(0, "what to do: set, show or delete");
        var id = line.Argument(1, "the credential id");
        var path = $"/api/credentials/{Uri.EscapeDataString(id)}";
        switch (verb)
        {
            case "set":
                var merge = line.Flag("merge");
                var fields = Fields(line.Arguments.Skip(2).ToArray());
                line.ThrowIfUnused(line.Arguments.Count);
                using (var response = await api.RawAsync(merge ? HttpMethod.Patch : HttpMethod.Put, path, new JsonObject { ["fields"] = fields }.ToJsonString(),
                           HttpCompletionOption.ResponseContentRead, ct))
                {
                    Show(output, await ApiClient.ReadAsync(response, ct), merge ? "updated" : "set");
                }

                return ExitCodes.Ok;
            case "show":
                line.ThrowIfUnused(2);
                Show(output, await api.GetAsync(path, ct), null);
                return ExitCodes.Ok;
            case "delete":
                line.ThrowIfUnused(2);
                using (var response = await api.RawAsync(HttpMethod.Delete, path, null, HttpCompletionOption.ResponseContentRead, ct))
                {
                    await ApiClient.ReadAsync(response, ct);
                }

                output.Result(new JsonObject { ["deleted"] = id });
                output.Text($"deleted {id}");
                return ExitCodes.Ok;
            default:
                throw new CliException(ExitCodes.Usage, $"'{verb}' is not something to do with a credential; use set, show or delete. See 'flowactors credential --help'.");
        }
    }

    /// <summary>FIELD=env:VARIABLE, FIELD=file:PATH or FIELD=- (stdin), read now; errors name the field, never a value.</summary>
    private static JsonObject Fields(string[] arguments)
    {
        if (arguments.Length == 0)
        {
            throw new CliException(ExitCodes.Usage, "Give at least one FIELD=SOURCE, e.g. apiKey=env:CRM_API_KEY. See 'flowactors credential --help'.");
        }

        var fields = new JsonObject();
        foreach (var argument in arguments)
        {
            var (name, source) = argument.IndexOf('=', StringComparison.Ordinal) is var at and > 0 ? (argument[..at], argument[(at + 1)..]) : (argument, "");
            string value;
            if (source == "-")
            {
                value = Console.In.ReadToEnd().TrimEnd('\r', '\n');
            }
            else if (source.StartsWith("env:", StringComparison.Ordinal))
            {
                value = Environment.GetEnvironmentVariable(source[4..])
                    ?? throw new CliException(ExitCodes.Usage, $"{name}: the environment variable {source[4..]} is not set.");
            }
            else if (source.StartsWith("file:", StringComparison.Ordinal))
            {
                value = File.Exists(source[5..])
                    ? File.ReadAllText(source[5..]).TrimEnd('\r', '\n')
                    : throw new CliException(ExitCodes.Usage, $"{name}: the file '{source[5..]}' does not exist.");
            }
            else
            {
                throw new CliException(ExitCodes.Usage, $"{name}: expected {name}=env:VARIABLE, {name}=file:PATH or {name}=- (stdin); values never go on the command line.");
            }

            fields[name] = value;
        }

        return fields;
    }

    private static void Show(Output output, JsonElement credential, string? done)
    {
        output.Result(JsonNode.Parse(credential.GetRawText()));
        var id = credential.GetProperty("id").GetString();
        output.Text($"credential {id}{(done is null ? "" : $": {done}")}, revision {credential.GetProperty("revision").GetInt64()}, changed {credential.GetProperty("changedAt").GetString()}");
        foreach (var field in credential.GetProperty("fields").EnumerateArray())
        {
            output.Text($"  {field.GetProperty("name").GetString()}  (changed {field.GetProperty("changedAt").GetString()})");
        }
    }
}
