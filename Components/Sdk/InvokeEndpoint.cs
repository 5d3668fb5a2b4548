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
internal sealed partial class InvokeEndpoint(
    IReadOnlyDictionary<string, ActionHandler> actions,
    JsonElement? startConfiguration,
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

        if (await HandlerAsync(http, request.Action) is not { } handler
            || await RunAsync(handler, request, http) is not { } emits
            || http.Response.HasStarted)
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

        // One after the other, in order: messages of one execution may follow each other in a batch.
        var results = new InvokeResponse[batch.Messages.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var request = new InvokeRequest(batch.Action, batch.Messages[i], batch.Configuration, batch.Snapshot);
            if (await RunAsync(handler, request, http) is not { } emits || http.Response.HasStarted)
            {
                return;
            }

            results[i] = new InvokeResponse(emits);
        }

        await WriteAsync(http, new InvokeBatchResponse(results), ProtocolJson.Default.InvokeBatchResponse);
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

    private async Task<ActionHandler?> HandlerAsync(HttpContext http, string action)
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
    private async Task<IReadOnlyList<Emit>?> RunAsync(ActionHandler handler, InvokeRequest request, HttpContext http)
    {
        if (request.Message.Id is { } id && _completed.TryGet(request.Action, id, out var answered))
        {
            return answered;
        }

        try
        {
            var emits = await handler(new ActionContext(request, startConfiguration, http)) ?? [];

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
            return null;
        }
        catch (Exception exception)
        {
            // One line, no stack trace: the error emit already carries the failure to the platform, and every
            // line a component writes ends up in the platform's logs.
            LogActionFailed(logger, request.Action, request.Message.Id, exception.GetType().Name, exception.Message);
            return [Emit.Fail($"Action '{request.Action}' failed: {exception.GetType().Name}: {exception.Message}")];
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Action {Action} failed on message {MessageId}: {ExceptionType}: {Error}")]
    private static partial void LogActionFailed(ILogger logger, string action, string messageId, string exceptionType, string error);
}
