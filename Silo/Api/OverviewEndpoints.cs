namespace FlowActors.Silo.Api;

/// <summary>
/// Read models for the admin console: <c>/api/overview</c> (every flow with its status, steps and last executions,
/// and every component with the flows that use it) and <c>/api/overview/flows/{flowId}</c>.
/// </summary>
public static class OverviewEndpoints
{
    public static RouteGroupBuilder MapOverviewEndpoints(this RouteGroupBuilder api)
    {
        var overview = api.MapGroup("/overview").WithTags("Console");
        overview.MapGet("/", (OverviewReader reader, CancellationToken ct, int executions = 5) =>
                executions is < 0 or > 50
                    ? Task.FromResult(ApiProblems.BadRequest("Invalid executions", $"'executions' is {executions}; ask for 0 to 50 per flow."))
                    : ReadAsync(reader, executions, ct))
            .Produces<Overview>()
            .WithSummary("Every flow (status, steps, revisions, last executions) and every component (revisions, which flows use which).");
        overview.MapGet("/flows/{flowId}", async (string flowId, OverviewReader reader, CancellationToken ct, int executions = 20) =>
                executions is < 0 or > 200
                    ? ApiProblems.BadRequest("Invalid executions", $"'executions' is {executions}; ask for 0 to 200.")
                    : await reader.ReadFlowAsync(flowId, executions, ct) is { } detail ? Results.Ok(detail) : ApiProblems.FlowNotFound(flowId))
            .Produces<FlowDetail>()
            .WithSummary("One flow: its summary, its graph and its recent executions with per-step timings.");
        return api;
    }

    private static async Task<IResult> ReadAsync(OverviewReader reader, int executions, CancellationToken ct) =>
        Results.Ok(await reader.ReadAsync(executions, ct));
}
