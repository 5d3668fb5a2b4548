using System.Text.Json;
using FlowActors.Client;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace FlowActors.Silo.Api;

/// <summary>
/// Trying a draft on sample data: <c>/api/flows/{flowId}/steps/{stepId}/try</c>, <c>/api/flows/{flowId}/try</c>, and
/// evaluating one expression on a sample, <c>/api/expressions/evaluate</c> (the console's preview).
/// </summary>
public static class TrialEndpoints
{
    public static RouteGroupBuilder MapTrialEndpoints(this RouteGroupBuilder api)
    {
        var flow = api.MapGroup("/flows/{flowId}").WithTags("Trials");
        flow.MapPost("/steps/{stepId}/try", TryStepAsync)
            .Accepts<TryRequest>("application/json").Produces<StepTrial>()
            .WithSummary("Runs one step of the draft on a sample message (mapping, component, edge conditions); nothing is counted or sent on.");
        flow.MapPost("/try", TryDraftAsync)
            .Accepts<TryRequest>("application/json").Produces<DraftTrial>()
            .WithSummary("Runs the whole draft on a sample message, step by step; nothing is counted or sent on.");
        api.MapPost("/expressions/evaluate", EvaluateAsync).WithTags("Trials")
            .Accepts<ExpressionSample>("application/json").Produces<ExpressionTrial>()
            .WithSummary("Evaluates a JSONata expression on a sample with the silo's own engine, as a mapping or as a condition.");
        return api;
    }

    private static Task<IResult> TryStepAsync(
        string flowId, string stepId, HttpRequest request, IFlowActorsClient client, IOptions<ApiOptions> options, IOptions<JsonOptions> json) =>
        TryAsync(flowId, request, client, options, json, async (sample, ct) =>
        {
            var draft = await client.GetDraftAsync(flowId, ct);
            return draft?.Steps.Any(s => s.Id == stepId) == true
                ? Results.Ok(await client.TryStepAsync(flowId, stepId, sample.Body.GetRawText(), sample.Headers, ct))
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Step not found",
                    detail: $"The draft of flow '{flowId}' has no step '{Grains.Flows.FlowValidator.Quote(stepId)}'.");
        });

    private static Task<IResult> TryDraftAsync(
        string flowId, HttpRequest request, IFlowActorsClient client, IOptions<ApiOptions> options, IOptions<JsonOptions> json) =>
        TryAsync(flowId, request, client, options, json, async (sample, ct) =>
            Results.Ok(await client.TryDraftAsync(flowId, sample.Body.GetRawText(), sample.Headers, ct)));

    private static async Task<IResult> TryAsync(
        string flowId,
        HttpRequest request,
        IFlowActorsClient client,
        IOptions<ApiOptions> options,
        IOptions<JsonOptions> json,
        Func<TryRequest, CancellationToken, Task<IResult>> run)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await FlowEndpoints.ExistingAsync(flowId, client, ct) is null)
        {
            return ApiProblems.FlowNotFound(flowId);
        }

        var (sample, problem) = await ReadAsync<TryRequest>(request, options, json);
        if (problem is not null)
        {
            return problem;
        }

        return sample!.Body.ValueKind == JsonValueKind.Undefined
            ? ApiProblems.BadRequest("The sample is missing", "Send {\"body\": {...}, \"headers\": {...}}: 'body' is the sample message's JSON body.")
            : await run(sample, ct);
    }

    private static async Task<IResult> EvaluateAsync(HttpRequest request, IFlowActorsClient client, IOptions<ApiOptions> options, IOptions<JsonOptions> json)
    {
        var (sample, problem) = await ReadAsync<ExpressionSample>(request, options, json);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(sample!.Expression) || sample.Input is null)
        {
            return ApiProblems.BadRequest("The sample is incomplete",
                "Send {\"expression\": \"...\", \"input\": {...}}; 'headers', 'flowId', 'stepId', 'configuration' and 'condition' are optional.");
        }

        return Results.Ok(await client.EvaluateExpressionAsync(sample, request.HttpContext.RequestAborted));
    }

    private static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, IOptions<ApiOptions> options, IOptions<JsonOptions> json)
        where T : class
    {
        var (body, problem) = await RequestBody.ReadAsync(request, options.Value.MaxBodyBytes);
        if (problem is not null)
        {
            return (default, problem);
        }

        using (body)
        {
            return RequestBody.Parse<T>(body!.Span, json.Value.SerializerOptions);
        }
    }
}

/// <summary>The body of a try: the sample message's JSON body and its headers.</summary>
public sealed record TryRequest(JsonElement Body, IReadOnlyDictionary<string, string>? Headers);
