using FlowActors.Client;
using FlowActors.Grains.Flows;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace FlowActors.Silo.Api;

/// <summary>Flows and their lifecycle: <c>/api/flows</c>.</summary>
public static class FlowEndpoints
{
    public static RouteGroupBuilder MapFlowEndpoints(this RouteGroupBuilder api)
    {
        var flows = api.MapGroup("/flows").WithTags("Flows");
        flows.MapGet("/", (IFlowActorsClient client, CancellationToken ct) => client.ListFlowsAsync(ct))
            .WithSummary("The status of every flow.");
        flows.MapGet("/{flowId}", async (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                await ExistingAsync(flowId, client, ct) is { } status ? Results.Ok(status) : ApiProblems.FlowNotFound(flowId))
            .Produces<FlowStatus>().WithSummary("A flow's lifecycle, mode, revisions and steps.");
        flows.MapGet("/{flowId}/draft", async (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                await ExistingAsync(flowId, client, ct) is null ? ApiProblems.FlowNotFound(flowId) : Results.Ok(await client.GetDraftAsync(flowId, ct)))
            .Produces<FlowDefinition>().WithSummary("A flow's draft (null when it has none).");
        flows.MapPut("/{flowId}/draft", SaveDraftAsync)
            .Accepts<FlowDefinition>("application/json").Produces<FlowStatus>()
            .WithSummary("Validates and saves a draft, creating the flow if it is new. Without 'edges', the steps form a chain in their order.");
        flows.MapPost("/{flowId}/publish", (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                WhenExistsAsync(flowId, client, ct, async () => Results.Ok(await client.PublishAsync(flowId, ct))))
            .Produces<PublishedFlow>().WithSummary("Publishes the draft as a new revision.");
        flows.MapPost("/{flowId}/start", (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                WhenExistsAsync(flowId, client, ct, async () =>
                {
                    await client.StartAsync(flowId, ct);
                    return Results.Ok(await client.GetStatusAsync(flowId, ct));
                }))
            .Produces<FlowStatus>().WithSummary("Starts the newest published revision (a real-time flow warms up first).");
        flows.MapPost("/{flowId}/stop", (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                WhenExistsAsync(flowId, client, ct, async () =>
                {
                    await client.StopAsync(flowId, ct);
                    return Results.Ok(await client.GetStatusAsync(flowId, ct));
                }))
            .Produces<FlowStatus>().WithSummary("Stops the flow.");
        flows.MapPut("/{flowId}/mode", SetModeAsync)
            .Accepts<ModeRequest>("application/json").Produces<FlowStatus>()
            .WithSummary("Switches between Ordinary and Realtime; only while the flow is stopped.");
        return api;
    }

    /// <summary>The flow's status, or null when no flow has that id (it never had a draft).</summary>
    internal static async Task<FlowStatus?> ExistingAsync(string flowId, IFlowActorsClient client, CancellationToken ct)
    {
        if (!FlowValidator.IsValidId(flowId))
        {
            return null; // no flow can have this id: do not activate a grain for it
        }

        var status = await client.GetStatusAsync(flowId, ct);
        return status.UnpublishedChanges || status.PublishedRevision > 0 ? status : null;
    }

    internal static async Task<IResult> WhenExistsAsync(string flowId, IFlowActorsClient client, CancellationToken ct, Func<Task<IResult>> action) =>
        await ExistingAsync(flowId, client, ct) is null ? ApiProblems.FlowNotFound(flowId) : await action();

    private static async Task<IResult> SaveDraftAsync(
        string flowId, HttpRequest request, IFlowActorsClient client, IOptions<ApiOptions> options, IOptions<JsonOptions> json)
    {
        var (draft, invalid) = await RequestBody.ReadJsonAsync<FlowDefinition>(request, options.Value.MaxBodyBytes, json.Value.SerializerOptions);

        if (invalid is not null)
        {
            return invalid;
        }

        // Edges left out: the steps form a chain in the order listed.
        if (draft!.Edges is null && draft.Steps is { } steps && steps.All(s => s is not null))
        {
            draft = draft with { Edges = FlowDefinition.ChainEdges(steps) };
        }

        var ct = request.HttpContext.RequestAborted;
        await client.SaveDraftAsync(flowId, draft, ct);
        return Results.Ok(await client.GetStatusAsync(flowId, ct));
    }

    private static async Task<IResult> SetModeAsync(
        string flowId, HttpRequest request, IFlowActorsClient client, IOptions<ApiOptions> options, IOptions<JsonOptions> json)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await ExistingAsync(flowId, client, ct) is null)
        {
            return ApiProblems.FlowNotFound(flowId);
        }

        var (mode, invalid) = await RequestBody.ReadJsonAsync<ModeRequest>(request, options.Value.MaxBodyBytes, json.Value.SerializerOptions);

        if (invalid is not null)
        {
            return invalid;
        }

        if (mode!.Mode is not { } value)
        {
            return ApiProblems.BadRequest("The mode is missing", "Send {\"mode\":\"Ordinary\"} or {\"mode\":\"Realtime\"}.");
        }

        await client.SetModeAsync(flowId, value, ct);
        return Results.Ok(await client.GetStatusAsync(flowId, ct));
    }
}

/// <summary>The body of <c>PUT /api/flows/{flowId}/mode</c>: <c>{"mode":"Realtime"}</c> or <c>{"mode":"Ordinary"}</c>.</summary>
public sealed record ModeRequest(FlowMode? Mode);
