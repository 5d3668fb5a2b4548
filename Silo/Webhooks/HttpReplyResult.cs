using System.Globalization;
using System.Text;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Webhooks;

namespace FlowActors.Silo.Webhooks;

/// <summary>
/// Writes a flow's <c>httpReply</c> emit as the webhook's response: its status, the headers the webhook lets through
/// (<see cref="WebhookReplyHeaders"/>) and its body, as JSON unless a non-JSON content type was given for a string
/// body. The reply runs in a sandbox (CSP <c>sandbox</c>, <c>nosniff</c>) unless the webhook allows the flow its own CSP.
/// </summary>
public sealed partial class HttpReplyResult(FlowMessage reply, IReadOnlyCollection<string> allowedHeaders) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var headers = reply.Headers.Where(h => !h.Key.StartsWith(':')).ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        var status = reply.Headers.TryGetValue(HttpReplyHeaders.Status, out var s)
            && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : StatusCodes.Status200OK;

        // Steps refuse invalid replies as execution errors; this holds for replies from silos that did not.
        if (HttpReplyRules.Problem(status, headers) is { } invalid)
        {
            LogInvalidReply(httpContext.RequestServices.GetRequiredService<ILogger<HttpReplyResult>>(), reply.ExecutionId, invalid);
            await Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The flow's reply is not a valid HTTP response",
                    extensions: new Dictionary<string, object?> { ["executionId"] = reply.ExecutionId })
                .ExecuteAsync(httpContext);
            return;
        }

        response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            if (WebhookReplyHeaders.Passes(name, allowedHeaders))
            {
                response.Headers[name] = value;
            }
        }

        response.Headers.XContentTypeOptions = "nosniff";
        if (!response.Headers.ContainsKey("Content-Security-Policy"))
        {
            response.Headers.ContentSecurityPolicy = "sandbox";
        }

        if (status is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            return; // these statuses have no body
        }

        var body = BodyText(response.ContentType);
        response.ContentType ??= "application/json; charset=utf-8";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(body), httpContext.RequestAborted);
    }

    private string BodyText(string? contentType)
    {
        if (contentType is null || contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return reply.Body;
        }

        using var document = JsonDocument.Parse(reply.Body, new JsonDocumentOptions { MaxDepth = ProtocolLimits.MaxDepth });
        return document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString()! : reply.Body;
    }

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "Execution {ExecutionId} replied with an invalid HTTP response: {Problem}")]
    private static partial void LogInvalidReply(ILogger logger, string executionId, string problem);
}
