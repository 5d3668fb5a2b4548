using FlowActors.Client;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Webhooks;
using FlowActors.Silo.Webhooks.Replay;
using FlowActors.Grains.Webhooks;
using FlowActors.Silo.Api;
using FlowActors.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Webhooks;

/// <summary>
/// <c>/hooks/{flowId}[/{**path}]</c> on the webhook listener: an HTTP request starts an execution. Ordinary flows answer
/// 202 with the execution id; real-time flows answer with the flow's HTTP reply when it comes in time, else 202.
/// Checks go cheapest first, and nothing before the credentials touches a grain or reads the body: declared size,
/// id shape, this silo's copy of the webhooks, credentials that need no body (the secret, or a signature's timestamp),
/// then the body (size, signature, replay, UTF-8, JSON), then the flow's state.
/// </summary>
public static partial class WebhookEndpoints
{
    public const string SecretHeader = "X-Webhook-Secret";
    public const string TimestampHeader = "X-Webhook-Timestamp";
    public const string SignatureHeader = "X-Webhook-Signature";

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    private static readonly TimeSpan LoadWait = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/hooks").WithTags("Webhooks").AddEndpointFilter(CountResponses);
        hooks.MapMethods("/{flowId}", Methods, (string flowId, HttpContext context) => HandleAsync(flowId, "", context))
            .WithSummary("Starts an execution of the flow with the request. Served on the webhook listener (FlowActors:Webhooks:Url). " +
                "Credentials: X-Webhook-Timestamp and X-Webhook-Signature (HMAC-SHA256 of timestamp, method, path and query, body), or X-Webhook-Secret.");
        hooks.MapMethods("/{flowId}/{**path}", Methods, (string flowId, string path, HttpContext context) => HandleAsync(flowId, "/" + path, context))
            .WithSummary("The same, passing the rest of the path to the flow.");
        return app;
    }

    private static async Task<IResult> HandleAsync(string flowId, string subPath, HttpContext context)
    {
        var services = context.RequestServices;
        var limit = services.GetRequiredService<IOptions<ApiOptions>>().Value.MaxBodyBytes;
        var options = services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var directory = services.GetRequiredService<WebhookDirectory>();
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            return ApiProblems.TooLarge(limit);
        }

        if (!FlowValidator.IsValidId(flowId))
        {
            return ApiProblems.WebhookNotFound(flowId);
        }

        if (!await directory.WhenLoadedAsync(LoadWait, context.RequestAborted))
        {
            return ApiProblems.Unavailable("The silo is still loading its webhooks.");
        }

        if (!directory.TryGet(flowId, out var webhook))
        {
            return ApiProblems.WebhookNotFound(flowId);
        }

        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var presented = Presented(request, webhook, options, now);
        if (presented is Credentials.Denied)
        {
            return Denied(services, flowId);
        }

        var (body, problem) = await RequestBody.ReadAsync(request, limit);
        if (problem is not null)
        {
            return problem;
        }

        using (body)
        {
            var guard = services.GetRequiredService<IReplayGuard>();
            string? claimed = null;
            if (presented is Credentials.Signed signed)
            {
                var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? $"{request.PathBase}{request.Path}{request.QueryString}";
                if (!WebhookCredentials.SignatureMatches(webhook.Secret, signed.Signature, signed.Timestamp, request.Method, target, body!.Span))
                {
                    return Denied(services, flowId);
                }

                claimed = Convert.ToHexStringLower(signed.Signature);
                if (!await guard.TryRememberAsync(flowId, claimed, signed.Timestamp, context.RequestAborted))
                {
                    return Denied(services, flowId); // a replay, or the same request still being served
                }
            }

            var sent = false;
            try
            {
                if (body!.Length > 0 && RequestBody.JsonError(body.Span) is { } error)
                {
                    return ApiProblems.NotJson(error);
                }

                return await StartAsync(
                    flowId, body.Length == 0 ? "{}" : body.Text(), WebhookMessage.Headers(request, subPath, options), webhook, options, context, () => sent = true);
            }
            finally
            {
                if (claimed is not null && !sent)
                {
                    // Not accepted (refused, or the cluster was settling: 503): the sender may send the same request again.
                    await ReleaseAsync(guard, flowId, claimed, ((Credentials.Signed)presented).Timestamp, services);
                }
            }
        }
    }

    private static async Task ReleaseAsync(IReplayGuard guard, string flowId, string signature, long timestamp, IServiceProvider services)
    {
        try
        {
            await guard.ForgetAsync(flowId, signature, timestamp, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogNotReleased(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookEndpoints)), flowId, e);
        }
    }

    /// <param name="sent">Called once the flow took the message: from then on, the request counts as accepted.</param>
    private static async Task<IResult> StartAsync(
        string flowId, string json, IReadOnlyDictionary<string, string> headers, WebhookEntry webhook, WebhookOptions options, HttpContext context, Action sent)
    {
        var services = context.RequestServices;
        var client = services.GetRequiredService<IFlowActorsClient>();
        var flow = services.GetRequiredService<IClusterClient>().GetGrain<IFlowGrain>(flowId);
        var status = await flow.GetStatusAsync();
        if (!status.UnpublishedChanges && status.PublishedRevision == 0)
        {
            return ApiProblems.FlowNotFound(flowId); // the webhook outlived its flow's definition
        }

        if (status.Lifecycle is not (FlowLifecycle.Running or FlowLifecycle.WarmingUp))
        {
            return ApiProblems.NotRunning(flowId, status.Lifecycle.ToString());
        }

        if (status.Mode != FlowMode.Realtime)
        {
            var executionId = await client.SendAsync(flowId, json, headers, context.RequestAborted);
            sent();
            return Accepted(flowId, executionId);
        }

        var reply = await client.SendAndWaitAsync(
            flowId, json, options.ReplyTimeout, headers, e => e.Kind is FlowEventKind.HttpReply or FlowEventKind.Error, context.RequestAborted);
        sent();
        return reply.Event switch
        {
            { Kind: FlowEventKind.HttpReply, Message: { } answer } => new HttpReplyResult(answer, webhook.AllowedReplyHeaders),

            // The caller is outside: it learns that the execution failed and its id, not the step's error text.
            { Kind: FlowEventKind.Error } => Results.Problem(
                statusCode: StatusCodes.Status502BadGateway,
                title: "The flow could not answer",
                detail: "The execution failed before it replied. Its id is in 'executionId'.",
                extensions: new Dictionary<string, object?> { ["executionId"] = reply.ExecutionId }),
            _ => Accepted(flowId, reply.ExecutionId),
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

    /// <summary>What the request presents, as far as it can be judged without the body.</summary>
    private static Credentials Presented(HttpRequest request, WebhookEntry webhook, WebhookOptions options, DateTimeOffset now)
    {
        var secret = Single(request.Headers[SecretHeader]);
        if (secret is not null)
        {
            return WebhookCredentials.SecretMatches(webhook.Secret, secret) ? new Credentials.Secret() : new Credentials.Denied();
        }

        return WebhookCredentials.ParseTimestamp(Single(request.Headers[TimestampHeader])) is { } timestamp
            && WebhookCredentials.IsFresh(timestamp, now, options.SignatureTolerance)
            && WebhookCredentials.ParseSignature(Single(request.Headers[SignatureHeader])) is { } signature
                ? new Credentials.Signed(timestamp, signature)
                : new Credentials.Denied();
    }

    private static IResult Denied(IServiceProvider services, string flowId)
    {
        LogDenied(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookEndpoints)), flowId);
        return ApiProblems.WebhookUnauthorized();
    }

    private static IResult Accepted(string flowId, string executionId) =>
        Results.Accepted($"/api/flows/{flowId}/executions/{executionId}", new MessageEndpoints.Accepted(executionId));

    /// <summary>A credential header sent more than once is refused rather than guessed at.</summary>
    private static string? Single(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 1 ? values[0] : null;

    [LoggerMessage(EventId = 9320, Level = LogLevel.Warning, Message = "Webhook of flow {FlowId}: a signed request that was not accepted could not be released from the replay guard; the sender must sign it anew to send it again")]
    private static partial void LogNotReleased(ILogger logger, string flowId, Exception exception);

    [LoggerMessage(EventId = 4190, Level = LogLevel.Debug, Message = "Webhook of flow {FlowId} refused a request with missing, wrong, expired or replayed credentials")]
    private static partial void LogDenied(ILogger logger, string flowId);

    /// <summary>The credentials of a request, judged before its body is read.</summary>
    private abstract record Credentials
    {
        /// <summary>Missing, malformed, wrong or expired: refused without reading the body.</summary>
        public sealed record Denied : Credentials;

        /// <summary>The shared secret, and it matches.</summary>
        public sealed record Secret : Credentials;

        /// <summary>A fresh timestamp and a well-formed signature, still to be checked against the body.</summary>
        public sealed record Signed(long Timestamp, byte[] Signature) : Credentials;
    }
}
