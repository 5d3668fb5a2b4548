using System.Collections.Concurrent;
using System.Net;
using System.Text;
using FlowActors.Containers;

namespace FlowActors.Tests.Infrastructure;

/// <summary>
/// A minimal OTLP/HTTP trace receiver on loopback: what a collector is to a component process. It accepts
/// <c>POST /v1/traces</c> (protobuf) and decodes only the span fields the tests read: ids, parent, name, string attributes.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<byte[]> _payloads = new();
    private readonly Task _loop;

    private OtlpReceiver(int port)
    {
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        _listener.Prefixes.Add($"{Endpoint}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>What to put in <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>).</summary>
    public Uri Endpoint { get; }

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans;

    /// <summary>Every export request as it arrived (traces, metrics, logs), to search for what must never be exported.</summary>
    public IReadOnlyCollection<byte[]> Payloads => _payloads;

    public static OtlpReceiver Start() => new(new LoopbackPorts().Reserve());

    /// <summary>The environment that makes a component export its spans here, promptly.</summary>
    public IReadOnlyDictionary<string, string> ExporterEnvironment => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
    };

    /// <summary>Waits (bounded) until <paramref name="predicate"/> holds for the spans received; returns them.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, bool> predicate, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var spans = _spans.ToArray();
            if (predicate(spans))
            {
                return spans;
            }

            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"The OTLP receiver did not get {what} within {timeout.TotalSeconds:0} s; it got {spans.Length} spans: " +
                    string.Join("; ", spans.Select(s => $"{s.Name} {s.TraceId}/{s.SpanId}<-{s.ParentSpanId}")));
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                _payloads.Enqueue(body.ToArray());
                if (context.Request.Url?.AbsolutePath == "/v1/traces")
                {
                    foreach (var span in OtlpTraceDecoder.Decode(body.ToArray()))
                    {
                        _spans.Enqueue(span);
                    }

                    context.Response.StatusCode = 200;
                    context.Response.ContentType = "application/x-protobuf";
                }
                else
                {
                    context.Response.StatusCode = 404;
                }
            }
            catch (FormatException)
            {
                context.Response.StatusCode = 400;
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}

/// <summary>One span as the receiver decoded it; ids in lower-case hex, as <see cref="System.Diagnostics.ActivityTraceId"/> prints them.</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, IReadOnlyDictionary<string, string> Attributes)
{
    public string? Attribute(string name) => Attributes.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// Reads an OTLP <c>ExportTraceServiceRequest</c> (protobuf wire format) down to its spans:
/// resource_spans(1) → scope_spans(2) → spans(2) → trace_id(1), span_id(2), parent_span_id(4), name(5), kind(6),
/// attributes(9: key(1), value(2: string_value(1))). Every other field is skipped.
/// </summary>
internal static class OtlpTraceDecoder
{
    public static IEnumerable<ReceivedSpan> Decode(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var resourceSpans in Fields(request, 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    spans.Add(Span(span));
                }
            }
        }

        return spans;
    }

    private static ReceivedSpan Span(ReadOnlyMemory<byte> span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new Reader(span);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, 2):
                    traceId = Convert.ToHexStringLower(reader.Bytes().Span);
                    break;
                case (2, 2):
                    spanId = Convert.ToHexStringLower(reader.Bytes().Span);
                    break;
                case (4, 2):
                    parent = Convert.ToHexStringLower(reader.Bytes().Span);
                    break;
                case (5, 2):
                    name = Encoding.UTF8.GetString(reader.Bytes().Span);
                    break;
                case (6, 0):
                    kind = (int)reader.Varint();
                    break;
                case (9, 2):
                    var (key, value) = Attribute(reader.Bytes());
                    if (value is not null)
                    {
                        attributes[key] = value;
                    }

                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return new ReceivedSpan(traceId, spanId, parent, name, kind, attributes);
    }

    private static (string Key, string? Value) Attribute(ReadOnlyMemory<byte> keyValue)
    {
        string key = "";
        string? value = null;
        var reader = new Reader(keyValue);
        while (reader.Next(out var field, out var wireType))
        {
            if (field == 1 && wireType == 2)
            {
                key = Encoding.UTF8.GetString(reader.Bytes().Span);
            }
            else if (field == 2 && wireType == 2)
            {
                value = Fields(reader.Bytes(), 1).Select(v => Encoding.UTF8.GetString(v.Span)).FirstOrDefault();
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return (key, value);
    }

    /// <summary>Every length-delimited occurrence of <paramref name="number"/> in a message.</summary>
    private static List<ReadOnlyMemory<byte>> Fields(ReadOnlyMemory<byte> message, int number)
    {
        var found = new List<ReadOnlyMemory<byte>>();
        var reader = new Reader(message);
        while (reader.Next(out var field, out var wireType))
        {
            if (field == number && wireType == 2)
            {
                found.Add(reader.Bytes());
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return found;
    }

    private struct Reader(ReadOnlyMemory<byte> buffer)
    {
        private int _at;

        public bool Next(out int field, out int wireType)
        {
            if (_at >= buffer.Length)
            {
                field = wireType = 0;
                return false;
            }

            var tag = Varint();
            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            return true;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_at >= buffer.Length)
                {
                    throw new FormatException("A varint runs past the end of the message.");
                }

                var b = buffer.Span[_at++];
                value |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new FormatException("A varint is longer than 10 bytes.");
        }

        public ReadOnlyMemory<byte> Bytes()
        {
            var length = (int)Varint();
            if (length < 0 || _at + length > buffer.Length)
            {
                throw new FormatException("A length-delimited field runs past the end of the message.");
            }

            var bytes = buffer.Slice(_at, length);
            _at += length;
            return bytes;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0:
                    Varint();
                    break;
                case 1:
                    _at += 8;
                    break;
                case 2:
                    Bytes();
                    break;
                case 5:
                    _at += 4;
                    break;
                default:
                    throw new FormatException($"Wire type {wireType} is not one OTLP uses.");
            }
        }
    }
}
