using System.Globalization;
using System.Text;
using System.Text.Json;
using FlowActors.Grains.Interfaces.Messages;

namespace FlowActors.Silo.Webhooks;

/// <summary>
/// Writes a flow's <c>httpReply</c> emit as the HTTP response: its status, its headers (less those that only
/// the server may set) and its body, as JSON unless a non-JSON content type was given for a string body.
/// </summary>
public sealed class HttpReplyResult(FlowMessage reply) : IResult
{
    private static readonly HashSet<string> ServerHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Trailer", "TE", "Host", "Date", "Server",
    };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = reply.Headers.TryGetValue(HttpReplyHeaders.Status, out var s)
            && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status is >= 200 and <= 599
            ? status
            : StatusCodes.Status200OK;
        foreach (var (name, value) in reply.Headers)
        {
            if (name.StartsWith(':') || ServerHeaders.Contains(name) || !IsToken(name) || value.Any(char.IsControl))
            {
                continue; // a component cannot break the response's framing
            }

            response.Headers[name] = value;
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

        using var document = JsonDocument.Parse(reply.Body);
        return document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString()! : reply.Body;
    }

    private static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => c is > ' ' and < (char)127 && !"()<>@,;:\\\"/[]?={}".Contains(c));
}
