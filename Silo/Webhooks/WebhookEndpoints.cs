using System.Text;
using FlowActors.Client;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Webhooks;
using FlowActors.Silo.Api;
using FlowActors.Telemetry;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Webhooks;

/// <summary>
/// <c>/hooks/{flowId}[/{**path}]</c>: an HTTP request starts an execution. Ordinary flows answer 202 with the
/// execution id; real-time flows answer with the flow's HTTP reply when it comes in time, else 202.
/// Checks go cheapest first, so that junk costs little: declared size, id shape, body size, credentials, JSON, state.
/// </summary>
public static partial class WebhookEndpoints
{
    public const string SecretHeader = "X-Webhook-Secret";
    public const string SignatureHeader = "X-Webhook-Signature";

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/hooks").WithTags("Webhooks").AddEndpointFilter(CountResponses);
        hooks.MapMethods("/{flowId}", Methods, (string flowId, HttpContext context) => HandleAsync(flowId, "", context))
            .WithSummary("Starts an execution of the flow with the request (credentials: the secret header, or an HMAC-SHA256 signature of the body).");
        hooks.MapMethods("/{flowId}/{**path}", Methods, (string flowId, string path, HttpContext context) => HandleAsync(flowId, "/" + path, context))
            .WithSummary("The same, passing the rest of the path to the flow.");
        return app;
    }

    private static async Task<IResult> HandleAsync(string flowId, string subPath, HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<ApiOptions>>().Value;
        var cluster = services.GetRequiredService<IClusterClient>();
        var request = context.Request;
        if (request.ContentLength > options.MaxBodyBytes)
        {
            return ApiProblems.TooLarge(options.MaxBodyBytes);
        }

        if (!FlowValidator.IsValidId(flowId))
        {
            return ApiProblems.WebhookNotFound(flowId);
        }

        var (body, problem) = await RequestBody.ReadAsync(request, options.MaxBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        var check = await cluster.GetGrain<IWebhookGrain>(flowId).CheckAsync(
            Single(request.Headers[SecretHeader]), Single(request.Headers[SignatureHeader]), body!);
        switch (check)
        {
            case WebhookCheck.NotConfigured:
                return ApiProblems.WebhookNotFound(flowId);
            case not WebhookCheck.Allowed:
                LogDenied(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookEndpoints)), flowId);
                return ApiProblems.Unauthorized();
        }

        if (body!.Length > 0 && RequestBody.JsonError(body) is { } error)
        {
            return ApiProblems.NotJson(error);
        }

        var flow = cluster.GetGrain<IFlowGrain>(flowId);
        var status = await flow.GetStatusAsync();
        if (!status.UnpublishedChanges && status.PublishedRevision == 0)
        {
            return ApiProblems.FlowNotFound(flowId); // the webhook outlived its flow's definition
        }

        if (status.Lifecycle is not (FlowLifecycle.Running or FlowLifecycle.WarmingUp))
        {
            return ApiProblems.NotRunning(flowId, status.Lifecycle.ToString());
        }

        var json = body.Length == 0 ? "{}" : Encoding.UTF8.GetString(body);
        var headers = WebhookMessage.Headers(request, subPath, options);
        var client = services.GetRequiredService<IFlowActorsClient>();
        if (status.Mode != FlowMode.Realtime)
        {
            return Accepted(flowId, await client.SendAsync(flowId, json, headers, context.RequestAborted));
        }

        var sent = await client.SendAndWaitAsync(
            flowId, json, options.WebhookReplyTimeout, headers, e => e.Kind is FlowEventKind.HttpReply or FlowEventKind.Error, context.RequestAborted);
        return sent.Event switch
        {
            { Kind: FlowEventKind.HttpReply, Message: { } answer } => new HttpReplyResult(answer),

            // The caller is outside: it learns that the execution failed and its id, not the step's error text.
            { Kind: FlowEventKind.Error } => Results.Problem(
                statusCode: StatusCodes.Status502BadGateway,
                title: "The flow could not answer",
                detail: "The execution failed before it replied. Its id is in 'executionId'.",
                extensions: new Dictionary<string, object?> { ["executionId"] = sent.ExecutionId }),
            _ => Accepted(flowId, sent.ExecutionId),
        };
    }

    /// <summary>Counts each webhook response by status (<see cref="FlowMetrics.WebhookResponded"/>) once it is sent, whichever branch wrote it.</summary>
    private static ValueTask<object?> CountResponses(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        if (FlowMetrics.WebhookResponsesObserved)
        {
            invocation.HttpContext.Response.OnCompleted(static state =>
            {
                FlowMetrics.WebhookResponded(((HttpResponse)state).StatusCode);
                return Task.CompletedTask;
            }, invocation.HttpContext.Response);
        }

        return next(invocation);
    }

    private static IResult Accepted(string flowId, string executionId) =>
        Results.Accepted($"/api/flows/{flowId}/executions/{executionId}", new MessageEndpoints.Accepted(executionId));

    /// <summary>A credential header sent more than once is refused rather than guessed at.</summary>
    private static string? Single(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 1 ? values[0] : null;

    [LoggerMessage(EventId = 4190, Level = LogLevel.Debug, Message = "Webhook of flow {FlowId} refused a request with missing or wrong credentials")]
    private static partial void LogDenied(ILogger logger, string flowId);
}
