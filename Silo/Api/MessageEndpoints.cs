using System.Text.Json;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Flows;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>Messages to flows and the executions they start: <c>/api/flows/{flowId}/messages</c> and <c>/executions</c>.</summary>
public static class MessageEndpoints
{
    public static RouteGroupBuilder MapMessageEndpoints(this RouteGroupBuilder api)
    {
        var flow = api.MapGroup("/flows/{flowId}").WithTags("Messages");
        flow.MapPost("/messages", SendAsync)
            .Accepts<JsonElement>("application/json")
            .Produces<Accepted>(StatusCodes.Status202Accepted)
            .Produces<Reply>()
            .WithSummary("Sends the body to the flow. With ?wait=true, answers with the execution's first output, reply or error (422).");
        flow.MapGet("/executions", async (string flowId, IFlowActorsClient client, CancellationToken ct, int limit = 50) =>
                limit is < 1 or > 1000
                    ? ApiProblems.BadRequest("Invalid limit", $"'limit' is {limit}; ask for 1 to 1000 executions.")
                    : await FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () => Results.Ok(await client.GetRecentExecutionsAsync(flowId, limit, ct))))
            .Produces<IReadOnlyList<ExecutionRecord>>()
            .WithSummary("Recent executions, most recently updated first, with per-step timings and the failing step.");
        flow.MapGet("/executions/{executionId}", (string flowId, string executionId, IFlowActorsClient client, CancellationToken ct) =>
                FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () =>
                    await client.GetExecutionAsync(flowId, executionId, ct) is { } execution
                        ? Results.Ok(execution)
                        : ApiProblems.ExecutionNotFound(flowId, executionId)))
            .Produces<ExecutionRecord>()
            .WithSummary("One recent execution: status, per-step timings, the failing step, and its outputs (bodies up to FlowActors:Executions:MaxOutputBytes, truncation marked).");
        return api;
    }

    /// <summary>
    /// One grain call per message: the flow grain itself refuses a flow that is not running, so its status is asked only
    /// then, to tell an unknown flow (404) from a stopped one (409).
    /// </summary>
    private static async Task<IResult> SendAsync(
        string flowId, HttpRequest request, IFlowActorsClient client, IOptions<ApiOptions> options, bool wait = false, double? timeout = null)
    {
        if (!FlowValidator.IsValidId(flowId))
        {
            return ApiProblems.FlowNotFound(flowId); // no flow can have this id: no grain is activated for it
        }

        var (body, problem) = await RequestBody.ReadAsync(request, options.Value.MaxBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        string json;
        using (body)
        {
            if (RequestBody.JsonError(body!.Span) is { } error)
            {
                return ApiProblems.NotJson(error);
            }

            json = body.Text();
        }

        var ct = request.HttpContext.RequestAborted;
        try
        {
            if (!wait)
            {
                var executionId = await client.SendAsync(flowId, json, cancellationToken: ct);
                return Results.Accepted($"/api/flows/{flowId}/executions/{executionId}", new Accepted(executionId));
            }

            var max = options.Value.MaxReplyWait;
            var wanted = timeout is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(Math.Min(seconds, max.TotalSeconds)) : max;
            return ReplyResult(flowId, await client.SendAndWaitAsync(flowId, json, wanted, cancellationToken: ct));
        }
        catch (FlowStateException) when (!ct.IsCancellationRequested)
        {
            if (await FlowEndpoints.ExistingAsync(flowId, client, ct) is null)
            {
                return ApiProblems.FlowNotFound(flowId);
            }

            throw; // a flow that exists but does not run: 409, saying how to start it (ApiExceptionHandler)
        }
    }

    private static IResult ReplyResult(string flowId, FlowReply reply) =>
        reply.Event switch
        {
            null => Results.Accepted($"/api/flows/{flowId}/executions/{reply.ExecutionId}", new Accepted(reply.ExecutionId)),
            { Kind: FlowEventKind.Error } e => Results.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "The execution failed",
                detail: e.Error,
                extensions: new Dictionary<string, object?> { ["executionId"] = e.ExecutionId, ["step"] = e.StepId }),
            { } e => Results.Ok(new Reply(e.ExecutionId, e.Kind, e.StepId, JsonDocument.Parse(e.Message!.Body, new JsonDocumentOptions { MaxDepth = ProtocolLimits.MaxDepth }).RootElement, e.Message.Headers, e.Path)),
        };

    /// <summary>The message was accepted; its execution goes on.</summary>
    public sealed record Accepted(string ExecutionId);

    /// <summary>The execution's first output or HTTP reply.</summary>
    public sealed record Reply(
        string ExecutionId, FlowEventKind Kind, string Step, JsonElement Body, IReadOnlyDictionary<string, string> Headers, IReadOnlyList<StepTiming> Path);
}
