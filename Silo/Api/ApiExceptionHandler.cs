using FlowActors.Client;
using FlowActors.Grains.Flows;
using FlowActors.Silo.Webhooks;
using Microsoft.AspNetCore.Diagnostics;

namespace FlowActors.Silo.Api;

/// <summary>
/// Turns the refusals grains throw into ProblemDetails answers: an invalid definition or trigger is 400 with every field,
/// a lifecycle conflict is 409 with what to do first, a full backlog is 429 (503 while the flow warms up) with
/// <c>Retry-After</c>, a call that met a silo which left the cluster is 503 with <c>Retry-After</c> (the cluster is settling:
/// the caller sends again), a bad argument is 400, a body the server refused to read is its 413 or 400. Anything else is
/// 500 with no detail.
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, errors) = exception switch
        {
            FlowValidationException e => (400, "The flow definition is invalid", "Fix the fields listed in 'errors' and send it again.",
                e.Errors.GroupBy(x => x.Field).ToDictionary(g => g.Key, g => g.Select(x => x.Message).ToArray())),
            TriggerValidationException e => (400, "The trigger settings are invalid", "Fix the fields listed in 'errors' and send them again.",
                e.Errors.GroupBy(x => x.Field).ToDictionary(g => g.Key, g => g.Select(x => x.Message).ToArray())),
            FlowStateException e => (409, "The flow's state does not allow this", e.Message, null),
            FlowBusyException { WarmingUp: true } e => (503, "The flow is warming up and its backlog is full", e.Message, null),
            FlowBusyException e => (429, "The flow's backlog is full", e.Message, null),
            _ when ClusterUnavailableException.IsSettling(exception) || exception is ClusterUnavailableException => (503, "The cluster is settling",
                "A silo this request needed left the cluster; its work moves to the other silos within seconds. Send the request again after Retry-After " +
                "(a message sent just as the silo died may have been accepted all the same: docs/api.md, \"Errors\").", null),
            ArgumentException e => (400, "The request is invalid", e.Message, null),

            // Kestrel's own refusals while a body is read (over the server's body limit, broken framing, too slow).
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "The body is too large",
                "The body is over the server's limit (FlowActors:Api:MaxBodyBytes).", null),
            BadHttpRequestException e => (e.StatusCode, "The request could not be read", "The body ended early, its framing is invalid or it came too slowly.", null),
            _ => (500, "The request failed", null, (Dictionary<string, string[]>?)null),
        };

        if (status == 500)
        {
            // The path is the caller's text: quoted short and with line breaks escaped, so it cannot forge log lines.
            LogUnhandled(logger, context.Request.Method, FlowValidator.Quote(context.Request.Path.Value), exception);
        }

        context.Response.StatusCode = status;
        if (exception is FlowBusyException busy)
        {
            // Whole seconds, at least one (RFC 9110 delay-seconds).
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(busy.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (status == 503)
        {
            LogSettling(logger, context.Request.Method, FlowValidator.Quote(context.Request.Path.Value), exception.GetType().Name);
            context.Response.Headers.RetryAfter = WebhookRateLimiting.Seconds(ClusterUnavailableException.DefaultRetryAfter);
        }

        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        if (errors is not null)
        {
            problem.Extensions["errors"] = errors;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    [LoggerMessage(EventId = 9310, Level = LogLevel.Information, Message = "{Method} {Path} answered 503: a silo it needed left the cluster ({Exception}); the caller sends again")]
    private static partial void LogSettling(ILogger logger, string method, string path, string exception);

    [LoggerMessage(EventId = 4090, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
