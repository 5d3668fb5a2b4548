using FlowActors.Client;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace FlowActors.Silo.Api;

/// <summary>
/// A flow's triggers: <c>/api/flows/{flowId}/triggers</c> (all of them), <c>/triggers/servicebus</c> and
/// <c>/triggers/schedule</c> (each: PUT to create or update, GET, DELETE). The Service Bus connection string goes in and
/// never comes out. The webhook keeps its own endpoints (<c>/webhook</c>).
/// </summary>
public static class TriggerEndpoints
{
    public static RouteGroupBuilder MapTriggerEndpoints(this RouteGroupBuilder api)
    {
        var triggers = api.MapGroup("/flows/{flowId}/triggers").WithTags("Triggers");
        triggers.MapGet("/", (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () => Results.Ok(await client.GetTriggersAsync(flowId, ct))))
            .Produces<TriggersOverview>()
            .WithSummary("The flow's webhook, Service Bus trigger (without its secret) and schedule (with its counters and snapshot).");

        triggers.MapPut("/servicebus", (string flowId, HttpRequest request, IFlowActorsClient client, IOptions<ApiOptions> options, IOptions<JsonOptions> json) =>
                SetAsync<ServiceBusTriggerSettings, ServiceBusTriggerInfo>(flowId, request, client, options, json, (settings, ct) => client.SetServiceBusTriggerAsync(flowId, settings, ct)))
            .Accepts<ServiceBusTriggerSettings>("application/json").Produces<ServiceBusTriggerInfo>()
            .WithSummary("Creates or updates the flow's Service Bus trigger. 'connectionString' is write-only; leave it out to keep the stored one.");
        triggers.MapGet("/servicebus", (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () =>
                    await client.GetServiceBusTriggerAsync(flowId, ct) is { } info ? Results.Ok(info) : TriggerNotFound(flowId, "a Service Bus trigger", "servicebus")))
            .Produces<ServiceBusTriggerInfo>()
            .WithSummary("The flow's Service Bus trigger, without its secret, with what it received and how it settled it.");
        triggers.MapDelete("/servicebus", (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () =>
                {
                    await client.RemoveServiceBusTriggerAsync(flowId, ct);
                    return Results.NoContent();
                }))
            .WithSummary("Closes the receiver and forgets the Service Bus trigger, secret included.");

        triggers.MapPut("/schedule", (string flowId, HttpRequest request, IFlowActorsClient client, IOptions<ApiOptions> options, IOptions<JsonOptions> json) =>
                SetAsync<ScheduleSettings, ScheduleInfo>(flowId, request, client, options, json, (settings, ct) => client.SetScheduleAsync(flowId, settings, ct)))
            .Accepts<ScheduleSettings>("application/json").Produces<ScheduleInfo>()
            .WithSummary("Creates or replaces the flow's schedule: {\"cron\": \"*/5 * * * *\", \"timeZone\": \"Europe/Berlin\"} or {\"interval\": \"00:00:30\"}.");
        triggers.MapGet("/schedule", (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () =>
                    await client.GetScheduleAsync(flowId, ct) is { } info ? Results.Ok(info) : TriggerNotFound(flowId, "a schedule", "schedule")))
            .Produces<ScheduleInfo>()
            .WithSummary("The flow's schedule: next and last tick, ticks fired, skipped (overrun), missed and failed, and the trigger's snapshot.");
        triggers.MapDelete("/schedule", (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () =>
                {
                    await client.RemoveScheduleAsync(flowId, ct);
                    return Results.NoContent();
                }))
            .WithSummary("Stops and forgets the flow's schedule, snapshot included.");
        return api;
    }

    private static async Task<IResult> SetAsync<TSettings, TInfo>(
        string flowId,
        HttpRequest request,
        IFlowActorsClient client,
        IOptions<ApiOptions> options,
        IOptions<JsonOptions> json,
        Func<TSettings, CancellationToken, Task<TInfo>> set)
        where TSettings : class
    {
        var ct = request.HttpContext.RequestAborted;
        if (await FlowEndpoints.ExistingAsync(flowId, client, ct) is null)
        {
            return ApiProblems.FlowNotFound(flowId);
        }

        var (body, problem) = await RequestBody.ReadAsync(request, options.Value.MaxBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        TSettings? settings;
        IResult? invalid;
        using (body)
        {
            (settings, invalid) = RequestBody.Parse<TSettings>(body!.Span, json.Value.SerializerOptions); // the pooled buffer goes back before the call
        }

        return invalid ?? Results.Ok(await set(settings!, ct));
    }

    private static IResult TriggerNotFound(string flowId, string what, string path) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "No such trigger",
        detail: $"Flow '{flowId}' has no {what}. Create it with PUT /api/flows/{flowId}/triggers/{path}.");
}
