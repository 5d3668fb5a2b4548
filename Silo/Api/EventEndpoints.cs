using System.Text;
using System.Text.Json;
using FlowActors.Client;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace FlowActors.Silo.Api;

/// <summary>
/// A flow's events as they happen: <c>GET /api/flows/{flowId}/events</c>, a server-sent event stream
/// (<c>text/event-stream</c>) with one <c>data:</c> line of JSON per output, HTTP reply or error
/// (<see cref="FlowEventView"/>). It starts with the comment <c>: following {flowId}</c> once the subscription is under
/// way: a message sent through this API after that is sent once it is in place, so its events are not missed.
/// </summary>
public static class EventEndpoints
{
    /// <summary>A comment this often keeps idle connections open through proxies and finds callers that went away.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapEventEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/flows/{flowId}/events", FollowAsync)
            .WithTags("Messages")
            .Produces<FlowEventView>(contentType: "text/event-stream")
            .WithSummary("Follows the flow's outputs, HTTP replies and errors as server-sent events (one JSON object per 'data:' line) until the caller disconnects.");
        return api;
    }

    private static async Task FollowAsync(string flowId, HttpContext http, IFlowActorsClient client, IOptions<JsonOptions> json)
    {
        var ct = http.RequestAborted;
        if (await FlowEndpoints.ExistingAsync(flowId, client, ct) is null)
        {
            await ApiProblems.FlowNotFound(flowId).ExecuteAsync(http);
            return;
        }

        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await using var events = client.FollowAsync(flowId, ct).GetAsyncEnumerator(ct);
        await WriteAsync(response, $": following {flowId}\n\n", ct);

        var next = events.MoveNextAsync().AsTask();
        Task? keepAlive = null;
        try
        {
            while (true)
            {
                keepAlive ??= Task.Delay(KeepAlive, ct);
                if (await Task.WhenAny(next, keepAlive) == keepAlive)
                {
                    ct.ThrowIfCancellationRequested();
                    keepAlive = null;
                    await WriteAsync(response, ": keep-alive\n\n", ct);
                    continue;
                }

                if (!await next)
                {
                    return;
                }

                var view = FlowEventView.From(events.Current);
                await WriteAsync(response, $"data: {JsonSerializer.Serialize(view, json.Value.SerializerOptions)}\n\n", ct);
                next = events.MoveNextAsync().AsTask();
            }
        }
        catch (FollowOverflowException e)
        {
            await WriteAsync(response, $"event: overflow\ndata: {JsonSerializer.Serialize(new { error = e.Message })}\n\n", CancellationToken.None);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The caller went away.
        }
        finally
        {
            // The enumerator ends with the request's token; it must not be disposed while a read is under way.
            await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken ct)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await response.Body.FlushAsync(ct);
    }
}

/// <summary>One event of a flow, as the event stream and the CLI show it.</summary>
/// <param name="Body">The output's or reply's body (JSON); null for an error.</param>
/// <param name="Headers">The output's headers (for an HTTP reply, <c>:status</c> and the response headers).</param>
/// <param name="Error">What went wrong, naming the step (errors only).</param>
/// <param name="Path">Every step the execution went through up to this event, with its timing.</param>
public sealed record FlowEventView(
    string ExecutionId,
    FlowEventKind Kind,
    string Step,
    JsonElement? Body,
    IReadOnlyDictionary<string, string>? Headers,
    string? Error,
    IReadOnlyList<StepTiming> Path)
{
    public static FlowEventView From(FlowEvent e) =>
        new(e.ExecutionId, e.Kind, e.StepId, Parse(e.Message?.Body), e.Message?.Headers, e.Error, e.Path ?? []);

    private static JsonElement? Parse(string? body)
    {
        if (body is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(body); // not JSON after all: shown as a string, never dropped
        }
    }
}
