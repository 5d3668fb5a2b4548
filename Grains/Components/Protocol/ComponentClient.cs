using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Containers.Isolation;
using FlowActors.Grains.Credentials;
using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Components.Protocol;

/// <summary>
/// Calls components over the component protocol. One instance per silo: a single <see cref="HttpClient"/>
/// keeps pooled keep-alive connections to every component endpoint, so a real-time hop costs one loopback
/// round trip, not a connect. A component in a network namespace of its own is connected to inside that namespace
/// (<see cref="ComponentNetworks"/>); only connecting differs, calls on a pooled connection do not.
/// </summary>
public sealed class ComponentClient : IDisposable
{
    private const int SnippetLength = 200;
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpClient _http;
    private readonly int _maxReplyBytes;

    /// <param name="networks">Where isolated components listen (the silo's, shared with its container runtime); null when none are.</param>
    public ComponentClient(IOptions<ComponentClientOptions> options, ComponentNetworks? networks = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _maxReplyBytes = settings.MaxReplyBytes;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = settings.ConnectTimeout,
            PooledConnectionIdleTimeout = settings.PooledConnectionIdleTimeout,
            ConnectCallback = networks is null ? null : networks.ConnectAsync,

            // The trace context a component gets is the message's (set below), never whatever activity happens to be current.
            ActivityHeadersPropagator = null,
        };
        _http = new HttpClient(handler)
        {
            // Every call brings its own timeout.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = _maxReplyBytes,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>
    /// Runs <paramref name="action"/> of the component at <paramref name="endpoint"/> on <paramref name="message"/>
    /// and returns what it emits, in order. The message's <see cref="FlowMessage.TraceParent"/> goes along (header
    /// and body), so the component's span joins the execution's trace under that span.
    /// </summary>
    /// <param name="configurationJson">The step's configuration (a JSON object) or null.</param>
    /// <param name="snapshotJson">The step's last snapshot (JSON) or null.</param>
    /// <param name="timeout">How long the whole call may take.</param>
    /// <param name="credential">The credential the step names, opened, or null: it goes in the request body.</param>
    /// <exception cref="ComponentInvocationException">The component could not be reached, took too long, refused the request or answered nonsense.</exception>
    /// <exception cref="ArgumentException">The body, configuration or snapshot is not JSON.</exception>
    public async Task<IReadOnlyList<Emit>> InvokeAsync(
        Uri endpoint,
        string action,
        FlowMessage message,
        string? configurationJson,
        string? snapshotJson,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        ComponentCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentNullException.ThrowIfNull(message);

        var body = new ArrayBufferWriter<byte>();
        InvokeRequestWriter.Write(body, action, message, configurationJson, snapshotJson, credential);
        var reply = await PostAsync(endpoint, ProtocolPaths.Invoke, body, action, timeout, cancellationToken, message.TraceParent);
        return ReadEmits(reply, endpoint, action);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on each of <paramref name="messages"/> in one round trip
    /// (<see cref="ProtocolPaths.InvokeBatch"/>) and returns what the component emits for each, in the order of the messages.
    /// Each message carries its own <see cref="FlowMessage.TraceParent"/>: a batch may hold several executions.
    /// </summary>
    /// <param name="timeout">How long the whole batch may take.</param>
    /// <param name="credential">The credential the step names, opened, or null: it goes in the request body.</param>
    /// <param name="concurrency">How many of the messages the component may process at once (1: one after the other).</param>
    /// <exception cref="ComponentInvocationException">
    /// As <see cref="InvokeAsync"/>; <see cref="ComponentFailure.NotServed"/> when the component has no batch path,
    /// <see cref="ComponentFailure.MalformedReply"/> when the reply has not one result per message.
    /// </exception>
    /// <exception cref="ArgumentException">A body, the configuration or the snapshot is not JSON.</exception>
    public async Task<IReadOnlyList<IReadOnlyList<Emit>>> InvokeBatchAsync(
        Uri endpoint,
        string action,
        IReadOnlyList<FlowMessage> messages,
        string? configurationJson,
        string? snapshotJson,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        ComponentCredential? credential = null,
        int concurrency = 1)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);

        var body = new ArrayBufferWriter<byte>();
        InvokeRequestWriter.WriteBatch(body, action, messages, configurationJson, snapshotJson, credential, concurrency);
        var reply = await PostAsync(endpoint, ProtocolPaths.InvokeBatch, body, action, timeout, cancellationToken);
        return ReadResults(reply, messages.Count, endpoint, action);
    }

    private async Task<byte[]> PostAsync(
        Uri endpoint, string path, ArrayBufferWriter<byte> body, string action, TimeSpan timeout, CancellationToken cancellationToken, string? traceParent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path))
        {
            Content = new ReadOnlyMemoryContent(body.WrittenMemory) { Headers = { ContentType = JsonContentType } },
        };
        if (traceParent is not null)
        {
            request.Headers.TryAddWithoutValidation(ProtocolPaths.TraceParentHeader, traceParent);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        byte[] reply;
        HttpStatusCode status;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
            status = response.StatusCode;
            reply = await response.Content.ReadAsByteArrayAsync(deadline.Token);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(ComponentFailure.Timeout, endpoint, action, $"did not answer within {Describe(timeout)}", exception);
        }
        catch (HttpRequestException exception)
        {
            throw Describe(exception, endpoint, action);
        }

        if (path == ProtocolPaths.InvokeBatch && status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            throw Failure(ComponentFailure.NotServed, endpoint, action, $"does not serve {path}: it answered {(int)status} ({status})");
        }

        if (status != HttpStatusCode.OK)
        {
            throw Failure(ComponentFailure.BadStatus, endpoint, action, $"answered {(int)status} ({status}): {ErrorText(reply)}");
        }

        return reply;
    }

    public void Dispose() => _http.Dispose();

    private static IReadOnlyList<Emit> ReadEmits(byte[] reply, Uri endpoint, string action)
    {
        InvokeResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(reply, ProtocolJson.Default.InvokeResponse);
        }
        catch (JsonException exception)
        {
            throw Failure(ComponentFailure.MalformedReply, endpoint, action, $"answered something that is not a protocol reply: {Snippet(reply)}", exception);
        }

        // Deserialization leaves missing members null whatever the annotations say.
        if (response?.Emits is not { } emits || emits.Any(emit => emit?.Kind is null))
        {
            throw Failure(
                ComponentFailure.MalformedReply,
                endpoint,
                action,
                $"answered something that is not a protocol reply (it needs \"emits\", each with a \"kind\"): {Snippet(reply)}");
        }

        return emits;
    }

    private static IReadOnlyList<IReadOnlyList<Emit>> ReadResults(byte[] reply, int count, Uri endpoint, string action)
    {
        InvokeBatchResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(reply, ProtocolJson.Default.InvokeBatchResponse);
        }
        catch (JsonException exception)
        {
            throw Failure(ComponentFailure.MalformedReply, endpoint, action, $"answered something that is not a batch reply: {Snippet(reply)}", exception);
        }

        if (response?.Results is not { } results
            || results.Count != count
            || results.Any(result => result?.Emits is not { } emits || emits.Any(emit => emit?.Kind is null)))
        {
            throw Failure(
                ComponentFailure.MalformedReply,
                endpoint,
                action,
                $"answered something that is not a batch reply (it needs \"results\", one per message ({count}), each with \"emits\" that have a \"kind\"): {Snippet(reply)}");
        }

        return [.. results.Select(result => result.Emits)];
    }

    private static ComponentInvocationException Describe(HttpRequestException exception, Uri endpoint, string action) =>
        exception switch
        {
            { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } =>
                Failure(ComponentFailure.MalformedReply, endpoint, action, "answered more than the reply size limit (ComponentClientOptions.MaxReplyBytes)", exception),
            { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } =>
                Failure(ComponentFailure.Unreachable, endpoint, action, "refused the connection: nothing listens there (not started yet, or exited)", exception),
            { HttpRequestError: HttpRequestError.ResponseEnded } or { InnerException: IOException } =>
                Failure(ComponentFailure.Unreachable, endpoint, action, "closed the connection without answering: it may have crashed", exception),
            _ => Failure(ComponentFailure.Unreachable, endpoint, action, $"could not be reached: {exception.Message}", exception),
        };

    private static ComponentInvocationException Failure(ComponentFailure failure, Uri endpoint, string action, string what, Exception? inner = null) =>
        new(failure, $"The component at {endpoint} {what} (action '{action}').", inner);

    /// <summary>The <c>error</c> of an SDK error reply (<c>{"error": "..."}</c>), else the start of the raw reply.</summary>
    private static string ErrorText(byte[] reply)
    {
        try
        {
            using var document = JsonDocument.Parse(reply);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String)
            {
                return Truncate(error.GetString()!);
            }
        }
        catch (JsonException)
        {
            // Not JSON: shown raw below.
        }

        return Snippet(reply);
    }

    private static string Snippet(byte[] reply) =>
        reply.Length == 0 ? "(an empty body)" : Truncate(Encoding.UTF8.GetString(reply, 0, Math.Min(reply.Length, SnippetLength * 4)));

    private static string Truncate(string text) => text.Length <= SnippetLength ? text : string.Concat(text.AsSpan(0, SnippetLength), "…");

    private static string Describe(TimeSpan timeout) =>
        timeout.TotalSeconds >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalSeconds:0.###}s")
            : string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalMilliseconds:0}ms");
}
