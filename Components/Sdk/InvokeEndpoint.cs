using System.Text.Json;
using FlowActors.ComponentProtocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FlowActors.ComponentSdk;

/// <summary>
/// Serves <c>POST /invoke</c>: dispatches on the action and turns whatever a handler does into a protocol
/// reply. A throwing handler fails that one execution (an <c>error</c> emit), never the component.
/// </summary>
internal sealed partial class InvokeEndpoint(
    IReadOnlyDictionary<string, ActionHandler> actions,
    JsonElement? startConfiguration,
    ILogger logger)
{
    private readonly string[] knownActions = [.. actions.Keys.Order(StringComparer.Ordinal)];

    public async Task InvokeAsync(HttpContext http)
    {
        InvokeRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(http.Request.Body, ProtocolJson.Default.InvokeRequest, http.RequestAborted);
        }
        catch (JsonException exception)
        {
            await WriteErrorAsync(http, $"The request body is not an invoke request: {exception.Message}");
            return;
        }

        // Deserialization leaves missing constructor parameters null whatever the annotations say.
        if (request?.Action is null || request.Message is null)
        {
            await WriteErrorAsync(http, "The request body needs 'action' and 'message'.");
            return;
        }

        if (!actions.TryGetValue(request.Action, out var handler))
        {
            await WriteErrorAsync(
                http,
                $"Unknown action '{request.Action}'. This component serves: {string.Join(", ", knownActions)}.",
                knownActions);
            return;
        }

        IReadOnlyList<Emit> emits;
        try
        {
            emits = await handler(new ActionContext(request, startConfiguration, http)) ?? [];
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The platform gave up on this call and closed the connection: nobody is left to answer.
            return;
        }
        catch (Exception exception)
        {
            // One line, no stack trace: the error emit already carries the failure to the platform, and every
            // line a component writes ends up in the platform's logs.
            LogActionFailed(logger, request.Action, request.Message.Id, exception.GetType().Name, exception.Message);
            emits = [Emit.Fail($"Action '{request.Action}' failed: {exception.GetType().Name}: {exception.Message}")];
        }

        if (http.Response.HasStarted)
        {
            return;
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(http.Response.Body, new InvokeResponse(emits), ProtocolJson.Default.InvokeResponse, http.RequestAborted);
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
