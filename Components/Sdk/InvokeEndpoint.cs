using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FlowActors.ComponentProtocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FlowActors.ComponentSdk;

/// <summary>
/// Serves <c>POST /invoke</c> and <c>POST /invoke/batch</c>: dispatches on the action and turns whatever a handler
/// does into a protocol reply. A throwing handler fails that one execution (an <c>error</c> emit), never the
/// component, and in a batch never the other messages.
/// </summary>
/// <param name="maxConcurrency">The most messages the component runs at once (its declared maximum), or null for no limit of its own.</param>
internal sealed partial class InvokeEndpoint(
    IReadOnlyDictionary<string, ActionEntry> actions,
    JsonElement? startConfiguration,
    int? maxConcurrency,
    ILogger logger)
{
    private readonly string[] _knownActions = [.. actions.Keys.Order(StringComparer.Ordinal)];
    private readonly CompletedMessages _completed = new(CompletedMessages.DefaultCapacity);

    public async Task InvokeAsync(HttpContext http)
    {
        if (await ReadAsync(http, ProtocolJson.Default.InvokeRequest) is not { } request)
        {
            return;
        }

        // Deserialization leaves missing constructor parameters null whatever the annotations say.
        if (request.Action is null || request.Message is null)
        {
            await WriteErrorAsync(http, "The request body needs 'action' and 'message'.");
            return;
        }

        if (await HandlerAsync(http, request.Action) is not { } handler)
        {
            return;
        }

        var traceParent = Single(http.Request.Headers[ProtocolPaths.TraceParentHeader]);
        var emits = handler.PerMessage is { } perMessage
            ? await RunAsync(perMessage, request, http, traceParent)
            : (await RunBatchAsync(handler.Batch!, [request], http, traceParent))?[0];
        if (emits is null || http.Response.HasStarted)
        {
            return;
        }

        await WriteAsync(http, new InvokeResponse(emits), ProtocolJson.Default.InvokeResponse);
    }

    public async Task InvokeBatchAsync(HttpContext http)
    {
        if (await ReadAsync(http, ProtocolJson.Default.InvokeBatchRequest) is not { } batch)
        {
            return;
        }

        if (batch.Action is null || batch.Messages is null || batch.Messages.Any(message => message is null))
        {
            await WriteErrorAsync(http, "The request body needs 'action' and 'messages' (an array of messages).");
            return;
        }

        if (await HandlerAsync(http, batch.Action) is not { } handler)
        {
            return;
        }

        if (handler.Batch is { } batchHandler)
        {
            if (await RunBatchAsync(batchHandler, [.. batch.Messages.Select(m => new InvokeRequest(batch.Action, m, batch.Configuration, batch.Snapshot, batch.Credential))], http, headerTraceParent: null) is not { } all
                || http.Response.HasStarted)
            {
                return;
            }

            await WriteAsync(http, new InvokeBatchResponse([.. all.Select(emits => new InvokeResponse(emits))]), ProtocolJson.Default.InvokeBatchResponse);
            return;
        }

        // Started in order, at most as many at once as the platform allows (the step's concurrency within this
        // component's own maximum); one after the other unless it says more. The answers keep the batch's order.
        var perMessage = handler.PerMessage!;
        var results = new InvokeResponse[batch.Messages.Count];
        var next = 0;
        var lanes = Math.Clamp(Math.Min(batch.Concurrency ?? 1, maxConcurrency ?? int.MaxValue), 1, results.Length);
        var answered = await Task.WhenAll(Enumerable.Range(0, lanes).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next) - 1) < results.Length)
            {
                var request = new InvokeRequest(batch.Action, batch.Messages[i], batch.Configuration, batch.Snapshot, batch.Credential);
                if (await RunAsync(perMessage, request, http, headerTraceParent: null) is not { } emits || http.Response.HasStarted)
                {
                    return false;
                }

                results[i] = new InvokeResponse(emits);
            }

            return true;
        }));

        if (answered.All(done => done))
        {
            await WriteAsync(http, new InvokeBatchResponse(results), ProtocolJson.Default.InvokeBatchResponse);
        }
    }

    private static async Task<T?> ReadAsync<T>(HttpContext http, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(http.Request.Body, type, http.RequestAborted)
                ?? throw new JsonException("The body is null.");
        }
        catch (JsonException exception)
        {
            await WriteErrorAsync(http, $"The request body is not an invoke request: {exception.Message}");
            return null;
        }
    }

    private async Task<ActionEntry?> HandlerAsync(HttpContext http, string action)
    {
        if (actions.TryGetValue(action, out var handler))
        {
            return handler;
        }

        await WriteErrorAsync(http, $"Unknown action '{action}'. This component serves: {string.Join(", ", _knownActions)}.", _knownActions);
        return null;
    }

    /// <summary>
    /// What the handler emits for one message; null when the platform gave up on the call. A message completed lately
    /// is answered as it was, without running the handler again (the platform asks again when it missed the answer).
    /// </summary>
    private async Task<IReadOnlyList<Emit>?> RunAsync(ActionHandler handler, InvokeRequest request, HttpContext http, string? headerTraceParent)
    {
        if (request.Message.Id is { } id && _completed.TryGet(request.Action, id, out var answered))
        {
            return answered;
        }

        using var span = ComponentTelemetry.StartInvoke(request.Action, request.Message, headerTraceParent);
        try
        {
            var emits = await handler(new ActionContext(request, startConfiguration, http)) ?? [];
            FailOnError(span, emits);

            // A handler that wrote the response itself answered in its own way: that is not an answer to repeat.
            if (request.Message.Id is { } completed && !http.Response.HasStarted)
            {
                _completed.Add(request.Action, completed, emits);
            }

            return emits;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The platform gave up on this call and closed the connection: nobody is left to answer.
            ComponentTelemetry.Fail(span, "The platform gave up on the call.");
            return null;
        }
        catch (Exception exception)
        {
            // One line, no stack trace: the error emit already carries the failure to the platform, and every
            // line a component writes ends up in the platform's logs.
            var reason = request.Credential?.Redact(exception.Message) ?? exception.Message;
            LogActionFailed(logger, request.Action, request.Message.Id, exception.GetType().Name, reason);
            var error = $"Action '{request.Action}' failed: {exception.GetType().Name}: {reason}";
            ComponentTelemetry.Fail(span, error);
            return [Emit.Fail(error)];
        }
    }

    /// <summary>What a batch handler emits for each message; null when the platform gave up on the call.</summary>
    private async Task<IReadOnlyList<IReadOnlyList<Emit>>?> RunBatchAsync(
        BatchActionHandler handler, IReadOnlyList<InvokeRequest> requests, HttpContext http, string? headerTraceParent)
    {
        // A span per message, each in its own execution's trace, all as long as the handler's one call.
        var current = Activity.Current;
        var spans = new Activity?[requests.Count];
        for (var i = 0; i < spans.Length; i++)
        {
            spans[i] = ComponentTelemetry.StartInvoke(requests[i].Action, requests[i].Message, headerTraceParent);
            Activity.Current = current;
        }

        try
        {
            var results = await handler([.. requests.Select(r => new ActionContext(r, startConfiguration, http))]);
            if (results?.Count != requests.Count)
            {
                throw new InvalidOperationException($"The batch handler returned {results?.Count ?? 0} results for {requests.Count} messages; it must return one per message.");
            }

            IReadOnlyList<IReadOnlyList<Emit>> all = [.. results.Select(emits => emits ?? [])];
            for (var i = 0; i < spans.Length; i++)
            {
                FailOnError(spans[i], all[i]);
            }

            return all;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            Array.ForEach(spans, span => ComponentTelemetry.Fail(span, "The platform gave up on the call."));
            return null;
        }
        catch (Exception exception)
        {
            // A handler that throws fails every message of its batch (one that can tell them apart returns an error each).
            var reason = requests[0].Credential?.Redact(exception.Message) ?? exception.Message;
            LogActionFailed(logger, requests[0].Action, requests[0].Message.Id, exception.GetType().Name, reason);
            var error = Emit.Fail($"Action '{requests[0].Action}' failed: {exception.GetType().Name}: {reason}");
            Array.ForEach(spans, span => ComponentTelemetry.Fail(span, error.Error!));
            return [.. requests.Select(_ => (IReadOnlyList<Emit>)[error])];
        }
        finally
        {
            Array.ForEach(spans, span => span?.Dispose());
            Activity.Current = current;
        }
    }

    /// <summary>An error emit fails the message's span: the call worked, the message did not.</summary>
    private static void FailOnError(Activity? span, IReadOnlyList<Emit> emits)
    {
        if (span is not null && emits.FirstOrDefault(emit => emit.Kind == EmitKinds.Error) is { } error)
        {
            ComponentTelemetry.Fail(span, error.Error ?? "error");
        }
    }

    /// <summary>A header sent once, else none: a repeated <c>traceparent</c> is ignored rather than guessed at.</summary>
    private static string? Single(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 1 ? values[0] : null;

    private static Task WriteAsync<T>(HttpContext http, T reply, JsonTypeInfo<T> type)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, reply, type, http.RequestAborted);
    }

    private static Task WriteErrorAsync(HttpContext http, string error, IReadOnlyList<string>? known = null)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new ErrorReply(error, known), SdkJson.Default.ErrorReply, http.RequestAborted);
    }

    [LoggerMessage(EventId = 5100, Level = LogLevel.Warning, Message = "Action {Action} failed on message {MessageId}: {ExceptionType}: {Error}")]
    private static partial void LogActionFailed(ILogger logger, string action, string messageId, string exceptionType, string error);
}
