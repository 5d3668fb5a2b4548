using System.Text.Json;
using System.Text.Json.Nodes;
using FlowActors.Cli.Api;
using FlowActors.Cli.Files;

namespace FlowActors.Cli.Commands;

/// <summary>
/// <c>flowactors apply FOLDER</c>: makes the silo hold what the files say, changing only what differs, so that a second
/// apply reports no change. Components first (a new revision when the launch or descriptor differs), then flows (the
/// draft saved when it differs, published when unpublished, the mode switched, started or stopped as the file says,
/// and restarted when it runs an older revision of itself or, real-time, of a component).
/// </summary>
public sealed class ApplyCommand(ApiClient api, Output output, TimeSpan timeout, bool rotateCredentials = false)
{
    public const string Help = """
        Usage: flowactors apply FOLDER|FILE [--timeout SECONDS] [--rotate-credentials]

        Creates or updates the components and flows described by the .json files in FOLDER (subfolders too): deploys a
        component revision when its launch or descriptor differs, saves a flow's draft when it differs, publishes it,
        sets its mode, and starts or stops it as the file's "running" says (a running flow is restarted to pick up a
        new revision). Applying the same files again changes nothing and says so. The file format is in docs/flows.md
        and docs/components.md. A bad file stops everything before anything is applied (exit 3).
        Credential files (docs/credentials.md) are set when the credential is new or its field names differ: values are
        write-only, so they cannot be compared; --rotate-credentials sets them all again from their sources.
          --timeout SECONDS       how long to wait for a started flow to run (default 120)
          --rotate-credentials    set every credential's values again, even when its fields are the same
        """;

    public async Task<int> RunAsync(string folder, CancellationToken ct)
    {
        var (components, flows, credentials, fileProblems) = ResourceFiles.Load(folder);
        var problems = fileProblems.Concat(await CheckAsync(components, flows, credentials, ct)).ToArray();
        if (problems.Length > 0)
        {
            throw new CliException(ExitCodes.InvalidFiles, $"{problems.Length} problem{(problems.Length == 1 ? "" : "s")} in the files; nothing was applied.", problems);
        }

        var results = new List<Result>();

        // Before the flows, which are checked against the credentials their steps name.
        foreach (var credential in credentials)
        {
            var result = await ApplyAsync(credential, ct);
            Report(result);
            results.Add(result);
        }

        var deployed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var component in components)
        {
            var result = await ApplyAsync(component, ct);
            if (result.Revision is { } revision && result.Changes.Count > 0)
            {
                deployed[component.Id] = revision;
            }

            Report(result);
            results.Add(result);
        }

        foreach (var flow in flows)
        {
            var result = await ApplyAsync(flow, ct);
            Report(result);
            results.Add(result);
        }

        var changed = results.Count(r => r.Changes.Count > 0);
        output.Progress($"{changed} changed, {results.Count - changed} unchanged.");
        output.Result(new JsonObject
        {
            ["changed"] = changed,
            ["unchanged"] = results.Count - changed,
            ["items"] = new JsonArray(results.Select(r => (JsonNode)r.ToJson()).ToArray()),
        });
        return ExitCodes.Ok;
    }

    /// <summary>
    /// What the silo would refuse of the files that read (<c>POST /api/check</c>), as "path: field: message", before
    /// anything is applied: one pass reports the tool's problems and the silo's together. A silo without the check
    /// (older than the tool) still refuses a file when it is applied, naming the file.
    /// </summary>
    private async Task<IEnumerable<string>> CheckAsync(
        IReadOnlyList<ComponentFile> components, IReadOnlyList<FlowFile> flows, IReadOnlyList<CredentialFile> credentials, CancellationToken ct)
    {
        if (components.Count + flows.Count == 0)
        {
            return [];
        }

        // A duplicated id is already a problem of its files; the first one stands for it here.
        var componentFiles = components.DistinctBy(c => c.Id, StringComparer.Ordinal).ToDictionary(c => c.Id, StringComparer.Ordinal);
        var flowFiles = flows.DistinctBy(f => f.Id, StringComparer.Ordinal).ToDictionary(f => f.Id, StringComparer.Ordinal);
        var request = new JsonObject
        {
            ["components"] = new JsonObject(componentFiles.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value.Deployment.DeepClone()))),
            ["flows"] = new JsonObject(flowFiles.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value.Definition.DeepClone()))),

            // Their ids only: the values are set when the files are applied, never sent to be checked.
            ["credentials"] = new JsonArray(credentials.Select(c => (JsonNode?)c.Id).Distinct().ToArray()),
        };
        using var response = await api.RawAsync(HttpMethod.Post, "/api/check", request.ToJsonString(), HttpCompletionOption.ResponseContentRead, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }

        var result = await ApiClient.ReadAsync(response, ct);
        return result.GetProperty("problems").EnumerateArray().Select(p =>
        {
            var id = p.GetProperty("id").GetString()!;
            var path = p.GetProperty("kind").GetString() == "component" ? componentFiles[id].Path : flowFiles[id].Path;
            var field = p.GetProperty("field").GetString();
            return string.IsNullOrEmpty(field) ? $"{path}: {p.GetProperty("message").GetString()}" : $"{path}: {field}: {p.GetProperty("message").GetString()}";
        }).ToArray();
    }

    /// <summary>The component's newest revision, or null when none was deployed: revisions are paged oldest first, numbered from 1.</summary>
    private async Task<JsonElement?> NewestRevisionAsync(string componentId, CancellationToken ct)
    {
        if (await api.FindAsync($"/api/components/{componentId}/revisions?limit=1", ct) is not { } page)
        {
            return null; // 404: never deployed
        }

        var total = page.GetProperty("total").GetInt32();

        var last = total == 1 ? page : await api.FindAsync($"/api/components/{componentId}/revisions?after={total - 1}&limit=1", ct);
        return last is { } found && found.GetProperty("revisions") is { ValueKind: JsonValueKind.Array } revisions && revisions.GetArrayLength() > 0
            ? revisions[0]
            : null;
    }

    private async Task<Result> ApplyAsync(ComponentFile file, CancellationToken ct)
    {
        var newest = await NewestRevisionAsync(file.Id, ct);
        var changedFiles = Array.Empty<string>();
        if (newest is { } current && Canonical.Of(Canonical.Deployment(current)) == Canonical.Of(file.Deployment))
        {
            // The same launch, but a revision pins the files it runs: one edited since needs a new revision to run.
            changedFiles = await ChangedFilesAsync(file.Id, current, ct);
            if (changedFiles.Length == 0)
            {
                return new Result("component", file.Id, file.Path, [], current.GetProperty("revision").GetInt32(), null);
            }
        }

        var created = await RefusedAsFileAsync(file.Path, () => api.PostAsync($"/api/components/{file.Id}/revisions", file.Deployment.DeepClone(), ct));
        var revision = created.GetProperty("revision").GetInt32();
        var why = changedFiles.Length > 0 ? $" ({string.Join(", ", changedFiles)} changed since revision {newest!.Value.GetProperty("revision").GetInt32()})" : "";
        return new Result("component", file.Id, file.Path, [$"deployed revision {revision}{why}"], revision, null);
    }

    /// <summary>The files <paramref name="revision"/> pinned whose content on the silo is no longer what was deployed.</summary>
    private async Task<string[]> ChangedFilesAsync(string componentId, JsonElement revision, CancellationToken ct)
    {
        if (!revision.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Array || files.GetArrayLength() == 0)
        {
            return [];
        }

        var checks = await api.GetAsync($"/api/components/{componentId}/revisions/{revision.GetProperty("revision").GetInt32()}/files", ct);
        return [.. checks.EnumerateArray().Where(c => c.GetProperty("changed").GetBoolean()).Select(c => c.GetProperty("path").GetString()!)];
    }

    private async Task<Result> ApplyAsync(CredentialFile file, CancellationToken ct)
    {
        var path = $"/api/credentials/{file.Id}";
        var current = await api.FindAsync(path, ct);
        var names = current?.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray();
        string? change = current is null ? "created"
            : !names!.SequenceEqual(file.Fields.Keys.Order(StringComparer.Ordinal)) ? "fields set"
            : rotateCredentials ? "rotated"
            : null;
        if (change is null)
        {
            return new Result("credential", file.Id, file.Path, [], current!.Value.GetProperty("revision").GetInt32(), null);
        }

        var body = new JsonObject { ["fields"] = new JsonObject(file.Fields.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value))) };
        var set = await RefusedAsFileAsync(file.Path, () => api.PutAsync(path, body, ct));
        return new Result("credential", file.Id, file.Path, [change], set.GetProperty("revision").GetInt32(), null);
    }

    private async Task<Result> ApplyAsync(FlowFile file, CancellationToken ct)
    {
        var changes = new List<string>();
        var path = $"/api/flows/{file.Id}";
        var status = await api.FindAsync(path, ct);
        var draft = status is null ? null : await api.FindAsync($"{path}/draft", ct);
        if (draft is not { ValueKind: JsonValueKind.Object } current || Canonical.Of(Canonical.Definition(current)) != Canonical.Of(file.Definition))
        {
            await RefusedAsFileAsync(file.Path, () => api.PutAsync($"{path}/draft", file.Definition.DeepClone(), ct));
            changes.Add(status is null ? "created" : "draft saved");
        }

        var flow = await api.GetAsync(path, ct);
        if (flow.GetProperty("unpublishedChanges").GetBoolean())
        {
            var published = await RefusedAsFileAsync(file.Path, () => api.PostAsync($"{path}/publish", null, ct));
            changes.Add($"published revision {published.GetProperty("revision").GetInt32()}");
            flow = await api.GetAsync(path, ct);
        }

        if (flow.GetProperty("mode").GetString() != file.Mode)
        {
            if (IsActive(flow))
            {
                await api.PostAsync($"{path}/stop", null, ct);
                changes.Add("stopped to switch mode");
            }

            flow = await api.PutAsync($"{path}/mode", new JsonObject { ["mode"] = file.Mode }, ct);
            changes.Add($"mode {file.Mode}");
        }

        if (!file.Running)
        {
            if (IsActive(flow))
            {
                flow = await api.PostAsync($"{path}/stop", null, ct);
                changes.Add("stopped");
            }

            return Done(flow);
        }

        if (IsActive(flow) && await StaleAsync(flow, ct) is { } reason)
        {
            await api.PostAsync($"{path}/stop", null, ct);
            changes.Add($"restarted {reason}");
        }
        else if (IsActive(flow))
        {
            return Done(await FlowWaits.UntilRunningAsync(api, file.Id, timeout, ct));
        }
        else
        {
            changes.Add("started");
        }

        output.Progress($"flow {file.Id}: starting...");
        await api.PostAsync($"{path}/start", null, ct);
        return Done(await FlowWaits.UntilRunningAsync(api, file.Id, timeout, ct));

        Result Done(JsonElement final) =>
            new("flow", file.Id, file.Path, changes, final.GetProperty("publishedRevision").GetInt32(), final.GetProperty("lifecycle").GetString());
    }

    /// <summary>Why a running flow does not run what it should: an older revision of itself, or (real-time) of a component.</summary>
    private async Task<string?> StaleAsync(JsonElement flow, CancellationToken ct)
    {
        var published = flow.GetProperty("publishedRevision").GetInt32();
        if (flow.GetProperty("runningRevision").GetInt32() != published)
        {
            return $"to run revision {published}";
        }

        if (flow.GetProperty("mode").GetString() != "Realtime")
        {
            return null; // an ordinary step starts its next container from the newest component revision anyway
        }

        var newest = (await api.GetAsync("/api/components", ct)).EnumerateArray()
            .ToDictionary(c => c.GetProperty("componentId").GetString()!, c => c.GetProperty("revision").GetInt32(), StringComparer.Ordinal);
        foreach (var step in flow.GetProperty("steps").EnumerateArray())
        {
            var component = step.GetProperty("componentId").GetString()!;
            var revision = step.GetProperty("revision").GetInt32();
            if (revision > 0 && newest.GetValueOrDefault(component) > revision)
            {
                return $"to pick up component {component} revision {newest[component]}";
            }
        }

        return null;
    }

    /// <summary>The silo refusing what a file says is a problem of that file: exit 3, naming the file with each field.</summary>
    private static async Task<JsonElement> RefusedAsFileAsync(string path, Func<Task<JsonElement>> call)
    {
        try
        {
            return await call();
        }
        catch (CliException e) when (e.ExitCode == ExitCodes.Failed)
        {
            throw new CliException(ExitCodes.InvalidFiles, $"{path}: {e.Message}", e.Details.Select(d => $"{path}: {d}").ToArray());
        }
    }

    private static bool IsActive(JsonElement flow) => flow.GetProperty("lifecycle").GetString() is "Running" or "WarmingUp";

    private void Report(Result result) =>
        output.Text(result.Changes.Count == 0
            ? $"{result.Kind} {result.Id}: unchanged{(result.State is null ? "" : $" ({result.State})")}"
            : $"{result.Kind} {result.Id}: {string.Join(", ", result.Changes)}{(result.State is null ? "" : $" ({result.State})")}");

    private sealed record Result(string Kind, string Id, string Path, IReadOnlyList<string> Changes, int? Revision, string? State)
    {
        public JsonObject ToJson() => new()
        {
            ["kind"] = Kind,
            ["id"] = Id,
            ["file"] = Path,
            ["changed"] = Changes.Count > 0,
            ["changes"] = new JsonArray(Changes.Select(c => (JsonNode?)c).ToArray()),
            ["revision"] = Revision,
            ["lifecycle"] = State,
        };
    }
}
