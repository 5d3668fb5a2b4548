using System.Text.Json;
using FlowActors.Client.Events;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>Sending messages to flows over HTTP: <c>POST /api/flows/{flowId}/messages</c>.</summary>
public static class MessageEndpoints
{
    public static IEndpointRouteBuilder MapMessageEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/flows/{flowId}").AddEndpointFilter<ApiKeyFilter>();
        api.MapPost("/messages", SendAsync);
        api.MapGet("/", async (string flowId, IClusterClient client) => Results.Ok(await client.GetGrain<IFlowGrain>(flowId).GetStatusAsync()));
        return app;
    }

    /// <summary>Sends the request body to the flow; with <c>?wait=true</c> answers with the execution's first output or error.</summary>
    private static async Task<IResult> SendAsync(
        string flowId, HttpRequest request, FlowReplies replies, IClusterClient client, IOptions<ApiOptions> options, bool wait = false)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        try
        {
            using var _ = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return Results.Problem(statusCode: 400, title: "The body is not valid JSON",
                detail: $"Line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}: {e.Message}");
        }

        var message = FlowMessage.Create(body);
        try
        {
            if (!wait)
            {
                return Results.Accepted(value: new { executionId = await client.GetGrain<IFlowGrain>(flowId).SendAsync(message) });
            }

            var reply = await replies.SendAndWaitAsync(flowId, message, options.Value.MaxReplyWait, request.HttpContext.RequestAborted);
            return reply switch
            {
                null => Results.Accepted(value: new { executionId = message.ExecutionId }),
                { Kind: FlowEventKind.Error } => Results.UnprocessableEntity(new { executionId = reply.ExecutionId, step = reply.StepId, error = reply.Error }),
                _ => Results.Ok(new { executionId = reply.ExecutionId, step = reply.StepId, body = JsonDocument.Parse(reply.Message!.Body).RootElement }),
            };
        }
        catch (FlowStateException e)
        {
            return Results.Problem(statusCode: 409, title: "The flow is not running", detail: e.Message);
        }
    }
}
