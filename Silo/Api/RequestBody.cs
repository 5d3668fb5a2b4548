using System.Text.Json;
using System.Text.RegularExpressions;

namespace FlowActors.Silo.Api;

/// <summary>
/// Reads request bodies with a hard limit and parses JSON with errors that name the position. Endpoints read
/// bodies through here rather than through parameter binding, so that 413 and 400 answers are ours and alike.
/// </summary>
public static partial class RequestBody
{
    /// <summary>The body's bytes, or a 413/400 problem. The declared length is checked before anything is read.</summary>
    public static async Task<(byte[]? Body, IResult? Problem)> ReadAsync(HttpRequest request, int limit)
    {
        if (request.ContentLength > limit)
        {
            return (null, ApiProblems.TooLarge(limit));
        }

        // Chunked bodies declare no length: read one byte past the limit to know whether they stay under it.
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, ApiProblems.TooLarge(limit));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e)
        {
            return (null, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ApiProblems.TooLarge(limit)
                : ApiProblems.BadRequest("The request body could not be read", "The body ended early or its framing is invalid."));
        }

        return (buffer.ToArray(), null);
    }

    /// <summary>Null when <paramref name="body"/> is one well-formed JSON document; otherwise what is wrong and where.</summary>
    public static string? JsonError(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            while (reader.Read())
            {
            }

            return null;
        }
        catch (JsonException e)
        {
            return Describe(e);
        }
    }

    /// <summary>Deserializes a JSON object of <typeparamref name="T"/>, or a 400 problem naming the position and property.</summary>
    public static (T? Value, IResult? Problem) Parse<T>(byte[] body, JsonSerializerOptions options)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, options) is { } value
                ? (value, null)
                : (null, ApiProblems.NotJson($"Expected a JSON object describing {typeof(T).Name}; the body is empty or null."));
        }
        catch (JsonException e)
        {
            return (null, ApiProblems.NotJson(Describe(e)));
        }
    }

    private static string Describe(JsonException e)
    {
        var where = e.LineNumber is { } line ? $"line {line + 1}, byte {e.BytePositionInLine + 1}" : "the end of the body";
        var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" (at {e.Path})";
        if (UnknownField().Match(e.Message) is { Success: true } unknown)
        {
            // The serializer's own words name a .NET type; the caller knows fields, not types.
            return $"Unknown field '{unknown.Groups[1].Value}' at {where}{path}. Check its spelling: docs/flows.md and docs/components.md list every field.";
        }

        var reason = e.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0];
        return $"Invalid JSON at {where}{path}: {reason}";
    }

    [GeneratedRegex("^The JSON property '(.*)' could not be mapped to any .NET member")]
    private static partial Regex UnknownField();
}
