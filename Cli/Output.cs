using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlowActors.Cli;

/// <summary>
/// Where results go: stdout carries the result (text for people, or JSON with <c>--output json</c>); stderr carries
/// progress and errors, so that <c>flowactors send ... | jq</c> sees only the answer.
/// </summary>
public sealed class Output(TextWriter stdout, TextWriter stderr, bool json)
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>True with <c>--output json</c>.</summary>
    public bool Json { get; } = json;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>Reads <c>--output</c>: <c>text</c> (the default) or <c>json</c>.</summary>
    public static bool IsJson(CommandLine line) => line.Option("output") switch
    {
        null or "text" => false,
        "json" => true,
        var other => throw new CliException(ExitCodes.Usage, $"--output is '{other}'; expected text or json."),
    };

    /// <summary>One result line on stdout, text mode only.</summary>
    public void Text(string line)
    {
        if (!Json)
        {
            Out.WriteLine(line);
        }
    }

    /// <summary>Progress for people, on stderr, text mode only.</summary>
    public void Progress(string line)
    {
        if (!Json)
        {
            Error.WriteLine(line);
        }
    }

    /// <summary>The result as JSON on stdout, JSON mode only.</summary>
    public void Result(JsonNode? value)
    {
        if (Json)
        {
            Out.WriteLine(value?.ToJsonString(Indented) ?? "null");
        }
    }

    /// <summary>One JSON value on one line (a stream of events: one per line).</summary>
    public void Line(JsonNode? value) => Out.WriteLine(value?.ToJsonString(Compact) ?? "null");

    /// <summary>A failure: text on stderr, or <c>{"error", "details", "exitCode"}</c> on stderr with <c>--output json</c>.</summary>
    public void Failure(CliException e)
    {
        if (Json)
        {
            Error.WriteLine(new JsonObject
            {
                ["error"] = e.Message,
                ["details"] = new JsonArray(e.Details.Select(d => (JsonNode?)d).ToArray()),
                ["exitCode"] = e.ExitCode,
            }.ToJsonString(Compact));
            return;
        }

        Error.WriteLine($"flowactors: {e.Message}");
        foreach (var detail in e.Details)
        {
            Error.WriteLine($"  {detail}");
        }
    }

    public static string Pretty(JsonElement value) => JsonSerializer.Serialize(value, Indented);

    public static string OneLine(JsonElement value) => JsonSerializer.Serialize(value, Compact);
}
