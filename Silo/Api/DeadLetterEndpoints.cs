using FlowActors.Client;

namespace FlowActors.Silo.Api;

/// <summary>A flow's dead letters and counters: <c>/api/flows/{flowId}/dead-letters</c> and <c>/counters</c>.</summary>
public static class DeadLetterEndpoints
{
    public static RouteGroupBuilder MapDeadLetterEndpoints(this RouteGroupBuilder api)
    {
        var flow = api.MapGroup("/flows/{flowId}").WithTags("Dead letters");
        flow.MapGet("/counters", (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () => Results.Ok(await client.GetCountersAsync(flowId, ct))))
            .Produces<FlowCounters>()
            .WithSummary("Exact counters: accepted, completed, failed, dead-lettered, duplicates dropped, in flight, rejected, replayed, expired, outcome unknown.");
        flow.MapGet("/dead-letters", ListAsync)
            .Produces<DeadLetterPage>()
            .WithSummary("The flow's dead letters, the newest first: ?offset=0&limit=50 (1 to 1000).");
        flow.MapGet("/dead-letters/{id}", (string flowId, string id, IFlowActorsClient client, CancellationToken ct) =>
                FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () =>
                    await client.GetDeadLetterAsync(flowId, id, ct) is { } letter ? Results.Ok(letter) : DeadLetterNotFound(flowId, id)))
            .Produces<DeadLetter>()
            .WithSummary("One dead letter: body, headers, step, error and attempts.");
        flow.MapPost("/dead-letters/{id}/replay", ReplayAsync)
            .Produces<MessageEndpoints.Accepted>(StatusCodes.Status202Accepted)
            .WithSummary("Sends the dead letter again to its step (?revision=N: only if the step runs that component revision) and removes it.");
        flow.MapDelete("/dead-letters/{id}", (string flowId, string id, IFlowActorsClient client, CancellationToken ct) =>
                FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () =>
                    await client.DiscardDeadLetterAsync(flowId, id, ct) ? Results.NoContent() : DeadLetterNotFound(flowId, id)))
            .WithSummary("Discards the dead letter for good.");
        return api;
    }

    private static Task<IResult> ListAsync(string flowId, IFlowActorsClient client, CancellationToken ct, int offset = 0, int limit = 50)
    {
        if (limit is < 1 or > 1000)
        {
            return Task.FromResult(ApiProblems.BadRequest("Invalid limit", $"'limit' is {limit}; ask for 1 to 1000 dead letters."));
        }

        if (offset < 0)
        {
            return Task.FromResult(ApiProblems.BadRequest("Invalid offset", $"'offset' is {offset}; expected 0 or more dead letters to skip."));
        }

        return FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () => Results.Ok(await client.ListDeadLettersAsync(flowId, offset, limit, ct)));
    }

    private static Task<IResult> ReplayAsync(string flowId, string id, IFlowActorsClient client, CancellationToken ct, int? revision = null) =>
        revision is < 1
            ? Task.FromResult(ApiProblems.BadRequest("Invalid revision", $"'revision' is {revision}; expected a deployed component revision (1 or more), or none for the one the step runs."))
            : FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () =>
                await client.ReplayDeadLetterAsync(flowId, id, revision, ct) is { } executionId
                    ? Results.Accepted($"/api/flows/{flowId}/executions/{executionId}", new MessageEndpoints.Accepted(executionId))
                    : DeadLetterNotFound(flowId, id));

    private static IResult DeadLetterNotFound(string flowId, string id) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown dead letter",
        detail: $"Flow '{flowId}' has no dead letter '{(id.Length <= 64 ? id : id[..64] + "…")}': it was replayed or discarded, dropped for room (FlowActors:DeadLetters:Capacity), or never existed. List them with GET /api/flows/{flowId}/dead-letters.");
}
