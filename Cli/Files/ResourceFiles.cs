using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FlowActors.Cli.Files;

/// <summary>A component deployment read from a file, in the shape the API takes and answers (docs/components.md).</summary>
/// <param name="Deployment"><c>{launch, descriptor}</c>, normalized (empty lists and objects filled in) for comparison.</param>
public sealed record ComponentFile(string Path, string Id, JsonObject Deployment);

/// <summary>A flow read from a file: its definition as the API takes it, and how it should run (docs/flows.md).</summary>
/// <param name="Definition"><c>{name, steps, edges}</c>, normalized (edges of a chain filled in) for comparison.</param>
/// <param name="Mode"><c>Ordinary</c> or <c>Realtime</c>.</param>
/// <param name="Running">Whether the flow should run once applied.</param>
public sealed record FlowFile(string Path, string Id, JsonObject Definition, string Mode, bool Running);

/// <summary>What a folder holds: the files that read, and the problems of those that did not ("path: field: message").</summary>
public sealed record ResourceSet(
    IReadOnlyList<ComponentFile> Components, IReadOnlyList<FlowFile> Flows, IReadOnlyList<CredentialFile> Credentials, IReadOnlyList<string> Problems);

/// <summary>
/// A named credential read from a file: its field names and where each value comes from (an environment variable or a
/// file), never the values themselves, which stay out of the repository (docs/credentials.md).
/// </summary>
/// <param name="Fields">Field name → value, read from its source when the file was loaded.</param>
public sealed record CredentialFile(string Path, string Id, IReadOnlyDictionary<string, string> Fields)
{
    // Never print the values, whoever formats this.
    public override string ToString() => $"CredentialFile {{ Id = {Id}, Fields = [{string.Join(", ", Fields.Keys)}] }}";
}

/// <summary>
/// Reads a folder of component and flow files (<c>*.json</c>, subfolders included, in path order) and checks each
/// against the file format, so that a mistake is reported with the file and the field before anything is applied.
/// </summary>
public static partial class ResourceFiles
{
    private static readonly string[] ComponentFields = ["kind", "id", "launch", "descriptor"];
    private static readonly string[] LaunchFields = ["image", "command", "arguments", "environment"];
    private static readonly string[] DescriptorFields = ["triggers", "actions", "details", "maxConcurrency"];
    private static readonly string[] FlowFields = ["kind", "id", "name", "mode", "running", "steps", "edges"];
    private static readonly string[] StepFields = ["id", "componentId", "action", "configuration", "credential", "mapping", "each", "concurrency", "keepOrder"];
    private static readonly string[] CredentialFields = ["kind", "id", "fields"];
    private static readonly string[] ValueSources = ["env", "file"];
    private static readonly string[] EdgeFields = ["from", "to", "when", "otherwise"];

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();

    /// <summary>
    /// Every file in <paramref name="folder"/> (or the one file it names) with the problems found in them; a
    /// <see cref="CliException"/> when there is nothing to read. The JSON is read as strictly as the API reads it: no
    /// comments, no trailing commas.
    /// </summary>
    public static ResourceSet Load(string folder)
    {
        if (File.Exists(folder))
        {
            return LoadFiles([folder]);
        }

        if (!Directory.Exists(folder))
        {
            throw new CliException(ExitCodes.Usage, $"'{folder}' is neither a folder nor a file.");
        }

        var files = Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        return files.Length > 0
            ? LoadFiles(files)
            : throw new CliException(ExitCodes.InvalidFiles, $"'{folder}' holds no .json file: nothing to apply.");
    }

    private static ResourceSet LoadFiles(IEnumerable<string> files)
    {
        var errors = new List<string>();
        var components = new List<ComponentFile>();
        var flows = new List<FlowFile>();
        var credentials = new List<CredentialFile>();
        foreach (var path in files)
        {
            var file = new FileErrors(path, errors);
            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                root = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                file.Add("", $"not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {JsonProblem(e)}");
                continue;
            }

            switch (Kind(root, file))
            {
                case "component" when ReadComponent(root, file) is { } component:
                    components.Add(component);
                    break;
                case "flow" when ReadFlow(root, file) is { } flow:
                    flows.Add(flow);
                    break;
                case "credential" when ReadCredential(root, file) is { } credential:
                    credentials.Add(credential);
                    break;
            }
        }

        Duplicates(components.Select(c => (c.Path, c.Id)), "component", errors);
        Duplicates(flows.Select(f => (f.Path, f.Id)), "flow", errors);
        Duplicates(credentials.Select(c => (c.Path, c.Id)), "credential", errors);
        return new ResourceSet(components, flows, credentials, errors);
    }

    /// <summary>The parser's words without its coordinates (the caller gives line and byte), and what the API expects where it says "reader options".</summary>
    private static string JsonProblem(JsonException e)
    {
        var text = e.Message.Split(" LineNumber:")[0].Trim();
        return text.Contains("trailing comma", StringComparison.Ordinal) || text.Contains("comment", StringComparison.OrdinalIgnoreCase) || text.StartsWith("'/'", StringComparison.Ordinal)
            ? $"{text.Replace(" Change the reader options.", "", StringComparison.Ordinal)} Files are strict JSON, as the API reads them: no comments, no trailing commas."
            : text;
    }

    private static string? Kind(JsonElement root, FileErrors file)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            file.Add("", "expected a JSON object with \"kind\": \"component\", \"flow\" or \"credential\"");
            return null;
        }

        var kind = String(root, "kind", file, required: true);
        if (kind is not (null or "component" or "flow" or "credential"))
        {
            file.Add("kind", $"is '{kind}'; expected \"component\", \"flow\" or \"credential\"");
            return null;
        }

        return kind;
    }

    private static ComponentFile? ReadComponent(JsonElement root, FileErrors file)
    {
        var before = file.Count;
        Fields(root, "", ComponentFields, file);
        var id = Id(root, "id", file);
        JsonObject? launch = null, descriptor = null;
        if (Object(root, "launch", file, required: true) is { } l)
        {
            Fields(l, "launch.", LaunchFields, file);
            var image = String(l, "image", file, required: false, at: "launch.");
            var command = String(l, "command", file, required: false, at: "launch.");
            if (string.IsNullOrWhiteSpace(image) && string.IsNullOrWhiteSpace(command))
            {
                file.Add("launch", "needs \"command\" (to run as a local process) or \"image\" (to run on Docker), or both");
            }

            launch = new JsonObject
            {
                ["image"] = image,
                ["command"] = command,
                ["arguments"] = Strings(l, "arguments", file, "launch."),
                ["environment"] = StringMap(l, "environment", file, "launch."),
            };
        }

        if (Object(root, "descriptor", file, required: true) is { } d)
        {
            Fields(d, "descriptor.", DescriptorFields, file);
            var listed = file.Count;
            var triggers = Strings(d, "triggers", file, "descriptor.");
            var actions = Strings(d, "actions", file, "descriptor.");
            if (triggers.Count + actions.Count == 0 && file.Count == listed)
            {
                file.Add("descriptor", "lists no action or trigger; a step names one of them");
            }

            descriptor = new JsonObject { ["triggers"] = triggers, ["actions"] = actions };
            if (WholeNumber(d, "maxConcurrency", file, "descriptor.") is { } most)
            {
                descriptor["maxConcurrency"] = most;
            }

            if (d.TryGetProperty("details", out var details) && details.ValueKind != JsonValueKind.Null)
            {
                if (Canonical.Details(details) is { } read)
                {
                    descriptor["details"] = read;
                }
                else
                {
                    file.Add("descriptor.details", "expected an object: per action name, {\"title\", \"configurationSchema\", \"sampleInput\"}");
                }
            }
        }

        return file.Count == before ? new ComponentFile(file.Path, id!, new JsonObject { ["launch"] = launch, ["descriptor"] = descriptor }) : null;
    }

    private static FlowFile? ReadFlow(JsonElement root, FileErrors file)
    {
        var before = file.Count;
        Fields(root, "", FlowFields, file);
        var id = Id(root, "id", file);
        var name = String(root, "name", file, required: true);
        var mode = String(root, "mode", file, required: false) ?? "ordinary";
        if (!mode.Equals("ordinary", StringComparison.OrdinalIgnoreCase) && !mode.Equals("realtime", StringComparison.OrdinalIgnoreCase))
        {
            file.Add("mode", $"is '{mode}'; expected \"ordinary\" or \"realtime\"");
        }

        var running = true;
        if (root.TryGetProperty("running", out var r))
        {
            if (r.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                running = r.GetBoolean();
            }
            else
            {
                file.Add("running", "expected true (start the flow) or false (keep it stopped)");
            }
        }

        var steps = new JsonArray();
        if (!root.TryGetProperty("steps", out var s) || s.ValueKind != JsonValueKind.Array || s.GetArrayLength() == 0)
        {
            file.Add("steps", "expected a non-empty array of steps: {\"id\", \"componentId\", \"action\", \"configuration\"}");
        }
        else
        {
            var i = 0;
            foreach (var step in s.EnumerateArray())
            {
                steps.Add(ReadStep(step, $"steps[{i++}]", file));
            }
        }

        JsonArray edges;
        if (root.TryGetProperty("edges", out var e) && e.ValueKind != JsonValueKind.Null)
        {
            edges = ReadEdges(e, file);
        }
        else
        {
            // Left out: a chain through the steps in their order, as the API does.
            edges = new JsonArray(steps.Zip(steps.Skip(1), (a, b) => (JsonNode)new JsonObject { ["from"] = a?["id"]?.DeepClone(), ["to"] = b?["id"]?.DeepClone() }).ToArray());
        }

        var definition = new JsonObject { ["name"] = name, ["steps"] = steps, ["edges"] = edges };
        var normalizedMode = mode.Equals("realtime", StringComparison.OrdinalIgnoreCase) ? "Realtime" : "Ordinary";
        return file.Count == before ? new FlowFile(file.Path, id!, definition, normalizedMode, running) : null;
    }

    private static JsonObject ReadStep(JsonElement step, string at, FileErrors file)
    {
        if (step.ValueKind != JsonValueKind.Object)
        {
            file.Add(at, "expected a step object: {\"id\", \"componentId\", \"action\", \"configuration\"}");
            return [];
        }

        Fields(step, at + ".", StepFields, file);
        JsonNode? configuration = null;
        if (step.TryGetProperty("configuration", out var c) && c.ValueKind != JsonValueKind.Null)
        {
            if (c.ValueKind == JsonValueKind.Object)
            {
                configuration = JsonNode.Parse(c.GetRawText());
            }
            else
            {
                file.Add($"{at}.configuration", "expected a JSON object such as {\"field\": \"name\"}, or null for none");
            }
        }

        return Canonical.Step(
            Id(step, "id", file, at + "."),
            Id(step, "componentId", file, at + "."),
            String(step, "action", file, required: true, at: at + "."),
            configuration,
            step.TryGetProperty("credential", out var named) && named.ValueKind != JsonValueKind.Null ? Id(step, "credential", file, at + ".") : null,
            String(step, "mapping", file, required: false, at: at + "."),
            Boolean(step, "each", file, at + "."),
            WholeNumber(step, "concurrency", file, at + "."),
            step.TryGetProperty("keepOrder", out var keep) && keep.ValueKind != JsonValueKind.Null ? Boolean(step, "keepOrder", file, at + ".") : null);
    }

    /// <summary>A whole number of at least 1 (the silo checks the upper bound), or null when left out.</summary>
    private static int? WholeNumber(JsonElement value, string name, FileErrors file, string at)
    {
        if (!value.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (property.ValueKind == JsonValueKind.Number && property.TryGetInt32(out var number) && number >= 1)
        {
            return number;
        }

        file.Add(at + name, $"expected a whole number of at least 1, such as 16; it is {property.GetRawText()}");
        return null;
    }

    private static bool Boolean(JsonElement value, string name, FileErrors file, string at)
    {
        if (!value.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (property.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return property.GetBoolean();
        }

        file.Add(at + name, "expected true or false");
        return false;
    }

    /// <summary>
    /// <c>{"kind": "credential", "id", "fields": {"apiKey": {"env": "CRM_API_KEY"}, "cert": {"file": "crm.pem"}}}</c>: each
    /// value from an environment variable or a file (relative to this one), read now; a value written in the file is refused.
    /// </summary>
    private static CredentialFile? ReadCredential(JsonElement root, FileErrors file)
    {
        var before = file.Count;
        Fields(root, "", CredentialFields, file);
        var id = Id(root, "id", file);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Object(root, "fields", file, required: true) is { } f)
        {
            foreach (var field in f.EnumerateObject())
            {
                var at = $"fields.{field.Name}";
                if (field.Value.ValueKind != JsonValueKind.Object)
                {
                    file.Add(at, "expected {\"env\": \"VARIABLE\"} or {\"file\": \"path\"}: values never go in the file itself");
                    continue;
                }

                Fields(field.Value, at + ".", ValueSources, file);
                var variable = String(field.Value, "env", file, required: false, at: at + ".");
                var path = String(field.Value, "file", file, required: false, at: at + ".");
                if ((variable is null) == (path is null))
                {
                    file.Add(at, "give exactly one of \"env\" and \"file\"");
                }
                else if (variable is not null)
                {
                    if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
                    {
                        fields[field.Name] = value;
                    }
                    else
                    {
                        file.Add(at, $"the environment variable {variable} is not set (or empty)");
                    }
                }
                else
                {
                    var full = System.IO.Path.GetFullPath(path!, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file.Path))!);
                    if (File.Exists(full))
                    {
                        fields[field.Name] = File.ReadAllText(full).TrimEnd('\r', '\n');
                    }
                    else
                    {
                        file.Add(at, $"the file '{full}' does not exist");
                    }
                }
            }

            if (fields.Count == 0 && file.Count == before)
            {
                file.Add("fields", "lists no field; a credential has at least one");
            }
        }

        return file.Count == before ? new CredentialFile(file.Path, id!, fields) : null;
    }

    private static JsonArray ReadEdges(JsonElement edges, FileErrors file)
    {
        var result = new JsonArray();
        if (edges.ValueKind != JsonValueKind.Array)
        {
            file.Add("edges", "expected an array of {\"from\": stepId, \"to\": stepId}, or leave it out for a chain");
            return result;
        }

        var i = 0;
        foreach (var edge in edges.EnumerateArray())
        {
            var at = $"edges[{i++}]";
            if (edge.ValueKind != JsonValueKind.Object)
            {
                file.Add(at, "expected {\"from\": stepId, \"to\": stepId}");
                continue;
            }

            Fields(edge, at + ".", EdgeFields, file);
            result.Add(Canonical.Edge(
                Id(edge, "from", file, at + "."), Id(edge, "to", file, at + "."), String(edge, "when", file, required: false, at + "."), Boolean(edge, "otherwise", file, at + ".")));
        }

        return result;
    }

    private static void Fields(JsonElement value, string at, string[] known, FileErrors file)
    {
        foreach (var property in value.EnumerateObject().Where(p => !known.Contains(p.Name, StringComparer.Ordinal)))
        {
            file.Add(at + property.Name, $"is not a field here; expected {string.Join(", ", known)}");
        }
    }

    private static string? Id(JsonElement value, string name, FileErrors file, string at = "")
    {
        var id = String(value, name, file, required: true, at);
        if (id is not null && !IdPattern().IsMatch(id))
        {
            file.Add(at + name, $"is '{id}'; expected 1-64 letters, digits, '-' or '_'");
        }

        return id;
    }

    private static string? String(JsonElement value, string name, FileErrors file, bool required, string at = "")
    {
        if (!value.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                file.Add(at + name, "is missing; expected a string");
            }

            return null;
        }

        if (property.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(property.GetString()))
        {
            file.Add(at + name, "expected a non-empty string");
            return null;
        }

        return property.GetString();
    }

    private static JsonElement? Object(JsonElement value, string name, FileErrors file, bool required)
    {
        if (value.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Object)
        {
            return property;
        }

        if (required || value.TryGetProperty(name, out _))
        {
            file.Add(name, "expected a JSON object");
        }

        return null;
    }

    private static JsonArray Strings(JsonElement value, string name, FileErrors file, string at)
    {
        var result = new JsonArray();
        if (!value.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (property.ValueKind != JsonValueKind.Array || property.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.String))
        {
            file.Add(at + name, "expected an array of strings");
            return result;
        }

        foreach (var item in property.EnumerateArray())
        {
            result.Add(item.GetString());
        }

        return result;
    }

    private static JsonObject StringMap(JsonElement value, string name, FileErrors file, string at)
    {
        var result = new JsonObject();
        if (!value.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (property.ValueKind != JsonValueKind.Object || property.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
        {
            file.Add(at + name, "expected an object of strings, e.g. {\"NAME\": \"value\"}");
            return result;
        }

        foreach (var item in property.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            result[item.Name] = item.Value.GetString();
        }

        return result;
    }

    private static void Duplicates(IEnumerable<(string Path, string Id)> items, string kind, List<string> errors)
    {
        foreach (var group in items.GroupBy(i => i.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"{string.Join(", ", group.Select(g => g.Path))}: id: {kind} '{group.Key}' is defined by more than one file");
        }
    }

    /// <summary>Collects the problems of one file as "path: field: message".</summary>
    private sealed class FileErrors(string path, List<string> errors)
    {
        private int _count;

        public string Path { get; } = path;

        public int Count => _count;

        public void Add(string field, string message)
        {
            _count++;
            errors.Add(field.Length == 0 ? $"{Path}: {message}" : $"{Path}: {field}: {message}");
        }
    }
}
