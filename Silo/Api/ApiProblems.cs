using FlowActors.Grains.Flows;
using FlowActors.Silo.Webhooks;

namespace FlowActors.Silo.Api;

/// <summary>The API's error answers, all ProblemDetails, so that every refusal reads the same way.</summary>
public static class ApiProblems
{
    /// <summary>
    /// What the admin surface expects, the same words whatever was sent: telling a caller why its credentials failed
    /// (missing, wrong, expired) helps only an attacker.
    /// </summary>
    public static IResult Unauthorized() => Results.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized",
        detail: $"Send the admin API key in the {ApiKey.Header} header (FlowActors:Api:Key, or the key file the silo made: .flowactors/api-key), " +
            "or log in at /console/login. A console session may change something only with the X-FlowActors-Console header.");

    /// <summary>What a webhook expects, the same words whatever was sent.</summary>
    public static IResult WebhookUnauthorized() => Results.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized",
        detail: $"Sign the request: {WebhookEndpoints.TimestampHeader} (Unix seconds, within the tolerance) and {WebhookEndpoints.SignatureHeader} " +
            "(sha256=HMAC-SHA256 of timestamp, method, path and query, and body, under the webhook's secret), each signature once; " +
            $"or send the secret in {WebhookEndpoints.SecretHeader}.");

    /// <summary>429 for a client that presented too many wrong keys.</summary>
    public static IResult TooManyWrongKeys(TimeSpan retryAfter) => TooManyRequests(
        "This client address presented too many wrong admin keys (FlowActors:Api:WrongKeys); wait for Retry-After before presenting a key again.",
        retryAfter);

    /// <summary>415 saying which content types the endpoint reads.</summary>
    public static IResult UnsupportedMediaType(string expected) => Results.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type",
        detail: $"Expected {expected}.");

    public static IResult FlowNotFound(string flowId) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown flow",
        detail: $"There is no flow '{Shorten(flowId)}'. Flow ids are 1-64 letters, digits, '-' or '_'; list the flows with GET /api/flows.");

    public static IResult ComponentNotFound(string componentId) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown component",
        detail: $"There is no component '{Shorten(componentId)}'. Deploy one with POST /api/components/{{componentId}}/revisions; list them with GET /api/components.");

    public static IResult ExecutionNotFound(string flowId, string executionId) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown execution",
        detail: $"Flow '{Shorten(flowId)}' has no record of execution '{Shorten(executionId)}': it has not finished a step yet, or it is older than the recent executions kept (FlowActors:Executions:Capacity).");

    public static IResult WebhookNotFound(string flowId) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown webhook",
        detail: $"There is no webhook for flow '{Shorten(flowId)}'.");

    public static IResult TooLarge(long limit, string setting = "FlowActors:Api:MaxBodyBytes") => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "The body is too large",
        detail: $"The body is over the limit of {limit} bytes ({setting}).");

    public static IResult NotUtf8(int offset) => Results.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "The body is not UTF-8",
        detail: $"The byte at offset {offset} is not valid UTF-8; send the body as UTF-8 text.");

    /// <summary>429 with <c>Retry-After</c> in whole seconds.</summary>
    public static IResult TooManyRequests(string detail, TimeSpan retryAfter) => new RetryAfterResult(
        Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: detail), retryAfter);

    /// <summary>503 with <c>Retry-After</c>: the silo cannot serve this yet.</summary>
    public static IResult Unavailable(string detail) => new RetryAfterResult(
        Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not available yet", detail: detail), TimeSpan.FromSeconds(1));

    public static IResult NotJson(string detail) => Results.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid JSON", detail: detail);

    public static IResult BadRequest(string title, string detail) => Results.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    public static IResult NotRunning(string flowId, string lifecycle) => Results.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "The flow is not running",
        detail: $"Flow '{Shorten(flowId)}' is {lifecycle} and accepts no messages. Start it with POST /api/flows/{flowId}/start (API key required), then send again.");

    /// <summary>Ids echoed back are cut short: a caller's 1 MB "id" is not worth returning.</summary>
    private static string Shorten(string id) => FlowValidator.Quote(id);

    private sealed class RetryAfterResult(IResult inner, TimeSpan after) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = WebhookRateLimiting.Seconds(after);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
