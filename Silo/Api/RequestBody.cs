using System.Buffers;
using System.Text;
using System.Text.Json;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Flows;
using System.Text.RegularExpressions;

namespace FlowActors.Silo.Api;

/// <summary>
/// Reads request bodies with a hard limit into pooled buffers, and parses JSON with errors that name the position.
/// Endpoints read bodies through here rather than through parameter binding, so that 413 and 400 answers are ours
/// and alike. Bodies are JSON, so a body that is not UTF-8 is refused here, for every endpoint.
/// </summary>
public static partial class RequestBody
{
    private const int FirstChunk = 16 * 1024;

    /// <summary>
    /// The body, or a 413/400 problem. The declared length is checked before anything is read; the buffer comes from
    /// the shared pool and goes back there when the caller disposes it.
    /// </summary>
    public static async Task<(PooledBody? Body, IResult? Problem)> ReadAsync(HttpRequest request, int limit)
    {
        if (request.ContentLength > limit)
        {
            return (null, ApiProblems.TooLarge(limit));
        }

        var ct = request.HttpContext.RequestAborted;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? FirstChunk, 1, limit));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= limit)
                    {
                        // Chunked bodies declare no length: one more byte tells whether this one stays under the limit.
                        var probe = ArrayPool<byte>.Shared.Rent(1);
                        var more = await request.Body.ReadAsync(probe.AsMemory(0, 1), ct);
                        ArrayPool<byte>.Shared.Return(probe);
                        if (more > 0)
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                            return (null, ApiProblems.TooLarge(limit));
                        }

                        break;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)length * 2, limit));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (BadHttpRequestException e)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ApiProblems.TooLarge(limit)
                : ApiProblems.BadRequest("The request body could not be read", "The body ended early or its framing is invalid."));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        var body = new PooledBody(buffer, length);
        if (Utf8Error(body.Span) is { } offset)
        {
            body.Dispose();
            return (null, ApiProblems.NotUtf8(offset));
        }

        return (body, null);
    }

    /// <summary>Null when <paramref name="body"/> is one well-formed JSON document (at most <see cref="ProtocolLimits.MaxBodyDepth"/> deep); otherwise what is wrong and where.</summary>
    public static string? JsonError(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = ProtocolLimits.MaxBodyDepth });
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

    /// <summary>Reads the body within <paramref name="limit"/> bytes and parses it as <typeparamref name="T"/>: the value, or the problem to answer.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, int limit, JsonSerializerOptions options)
        where T : class
    {
        var (body, problem) = await ReadAsync(request, limit);
        if (problem is not null)
        {
            return (null, problem);
        }

        using (body)
        {
            return Parse<T>(body!.Span, options);
        }
    }

    /// <summary>Deserializes a JSON object of <typeparamref name="T"/>, or a 400 problem naming the position and property.</summary>
    public static (T? Value, IResult? Problem) Parse<T>(ReadOnlySpan<byte> body, JsonSerializerOptions options)
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

    /// <summary>The zero-based offset of the first byte that is not valid UTF-8, or null when all are.</summary>
    public static int? Utf8Error(ReadOnlySpan<byte> body)
    {
        if (System.Text.Unicode.Utf8.IsValid(body))
        {
            return null;
        }

        var offset = 0;
        while (Rune.DecodeFromUtf8(body[offset..], out _, out var consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }

        return offset;
    }

    private static string Describe(JsonException e)
    {
        var where = e.LineNumber is { } line ? $"line {line + 1}, byte {e.BytePositionInLine + 1}" : "the end of the body";
        var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" (at {FlowValidator.Quote(e.Path)})";
        if (UnknownField().Match(e.Message) is { Success: true } unknown)
        {
            // The serializer's own words name a .NET type; the caller knows fields, not types.
            return $"Unknown field '{FlowValidator.Quote(unknown.Groups[1].Value)}' at {where}{path}. Check its spelling: docs/flows.md and docs/components.md list every field.";
        }

        var reason = e.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0];
        return $"Invalid JSON at {where}{path}: {reason}";
    }

    [GeneratedRegex("^The JSON property '(.*)' could not be mapped to any .NET member")]
    private static partial Regex UnknownField();
}

/// <summary>A request body in a buffer rented from the shared pool; disposing it gives the buffer back.</summary>
public sealed class PooledBody(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;

    public int Length { get; } = length;

    public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(PooledBody))).AsSpan(0, Length);

    /// <summary>The body as text (it is valid UTF-8: <see cref="RequestBody.ReadAsync"/> checked).</summary>
    public string Text() => Encoding.UTF8.GetString(Span);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } rented)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
