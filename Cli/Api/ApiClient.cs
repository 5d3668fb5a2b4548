using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlowActors.Cli.Api;

/// <summary>
/// The silo's HTTP API (docs/api.md) with the admin key. Answers are JSON; refusals (ProblemDetails) become
/// <see cref="CliException"/>s with the API's own words and an exit code a script can tell apart.
/// </summary>
public sealed class ApiClient : IDisposable
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    private readonly HttpClient _http;

    public ApiClient(Uri baseAddress, string? apiKey)
    {
        BaseAddress = baseAddress;
        HasKey = apiKey is not null;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        if (apiKey is not null)
        {
            _http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public Uri BaseAddress { get; }

    private bool HasKey { get; }

    /// <summary>
    /// The API from <c>--url</c>/<c>FLOWACTORS_URL</c> and the key from <c>--api-key</c>, <c>FLOWACTORS_API_KEY</c>,
    /// <c>--api-key-file</c>, <c>FLOWACTORS_API_KEY_FILE</c>, else the file a silo started here generates
    /// (<c>.flowactors/api-key</c> or <c>Silo/.flowactors/api-key</c>).
    /// </summary>
    public static ApiClient From(CommandLine line)
    {
        var url = line.Option("url") ?? Environment.GetEnvironmentVariable("FLOWACTORS_URL") ?? DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException(ExitCodes.Usage, $"--url is '{url}'; expected the silo's address, e.g. {DefaultUrl}.");
        }

        var key = line.Option("api-key") ?? Environment.GetEnvironmentVariable("FLOWACTORS_API_KEY");
        var file = line.Option("api-key-file") ?? Environment.GetEnvironmentVariable("FLOWACTORS_API_KEY_FILE");
        if (key is null && file is not null)
        {
            key = File.Exists(file)
                ? File.ReadAllText(file).Trim()
                : throw new CliException(ExitCodes.Usage, $"--api-key-file '{file}' does not exist.");
        }

        key ??= new[] { ".flowactors/api-key", "Silo/.flowactors/api-key" }.Where(File.Exists).Select(f => File.ReadAllText(f).Trim()).FirstOrDefault();
        return new ApiClient(uri, string.IsNullOrEmpty(key) ? null : key);
    }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    /// <summary>The answer, or null when the API says 404.</summary>
    public async Task<JsonElement?> FindAsync(string path, CancellationToken ct)
    {
        using var response = await RawAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseContentRead, ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync(response, ct);
    }

    public Task<JsonElement> PostAsync(string path, JsonNode? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    public Task<JsonElement> PutAsync(string path, JsonNode body, CancellationToken ct) => SendAsync(HttpMethod.Put, path, body, ct);

    /// <summary>Sends and returns the raw response, for callers that read the status or stream the body; connection failures become exit 5.</summary>
    public async Task<HttpResponseMessage> RawAsync(HttpMethod method, string path, string? json, HttpCompletionOption completion, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.Unreachable,
                $"Cannot reach the silo at {BaseAddress} ({e.Message}). Is it running ('dotnet run --project Silo')? Set --url or FLOWACTORS_URL.");
        }

        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            response.Dispose();
            throw new CliException(ExitCodes.Unreachable, HasKey
                ? $"The silo at {BaseAddress} refused the API key (401). Pass the key it uses with --api-key or FLOWACTORS_API_KEY."
                : $"The silo at {BaseAddress} needs the admin API key (401) and none was found: pass --api-key, set FLOWACTORS_API_KEY, or run from the folder holding Silo/.flowactors/api-key.");
        }

        return response;
    }

    /// <summary>The JSON answer of a successful response, else the problem it reports as a <see cref="CliException"/>.</summary>
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw Problem(response.StatusCode, text);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return default;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>A refusal in the API's own words: its title, its detail, and each field it names.</summary>
    public static CliException Problem(HttpStatusCode status, string body)
    {
        var code = status switch
        {
            HttpStatusCode.NotFound => ExitCodes.NotFound,
            HttpStatusCode.Unauthorized => ExitCodes.Unreachable,
            _ => ExitCodes.Failed,
        };
        try
        {
            using var document = JsonDocument.Parse(body);
            var problem = document.RootElement;
            var title = problem.TryGetProperty("title", out var t) ? t.GetString() : null;
            var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : null;
            var fields = problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
                ? errors.EnumerateObject().SelectMany(f => f.Value.EnumerateArray().Select(m => $"{f.Name}: {m.GetString()}")).ToArray()
                : [];
            return new CliException(code, $"{title ?? status.ToString()} ({(int)status}){(detail is null ? "" : ": " + detail)}", fields);
        }
        catch (JsonException)
        {
            return new CliException(code, $"The silo answered {(int)status} {status}.");
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        using var response = await RawAsync(method, path, body?.ToJsonString(), HttpCompletionOption.ResponseContentRead, ct);
        return await ReadAsync(response, ct);
    }
}
