using FlowActors.Client;
using FlowActors.Grains.Interfaces.Webhooks;
using FlowActors.Silo.Webhooks;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace FlowActors.Silo.Api;

/// <summary>A flow's webhook and its secret: <c>/api/flows/{flowId}/webhook</c>.</summary>
public static class WebhookAdminEndpoints
{
    public static RouteGroupBuilder MapWebhookAdminEndpoints(this RouteGroupBuilder api)
    {
        var webhook = api.MapGroup("/flows/{flowId}/webhook").WithTags("Webhooks");
        webhook.MapPost("/", RotateAsync)
            .Accepts<WebhookSettings>("application/json")
            .Produces<WebhookCreated>()
            .WithSummary("Creates the flow's webhook or rotates its secret (the secret is shown once; the previous one stops working). " +
                "An optional body {\"allowReplyHeaders\": [...]} sets the reply headers the webhook lets through beyond the default allow-list.");
        webhook.MapDelete("/", (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () =>
                {
                    await client.DeleteWebhookAsync(flowId, ct);
                    return Results.NoContent();
                }))
            .WithSummary("Removes the flow's webhook.");
        return api;
    }

    private static async Task<IResult> RotateAsync(
        string flowId, HttpRequest request, IFlowActorsClient client, IGrainFactory grains,
        IOptions<ApiOptions> api, IOptions<WebhookOptions> webhooks, IOptions<JsonOptions> json)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await FlowEndpoints.ExistingAsync(flowId, client, ct) is null)
        {
            return ApiProblems.FlowNotFound(flowId);
        }

        var (body, problem) = await RequestBody.ReadAsync(request, api.Value.MaxBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        WebhookSettings? settings = null;
        using (body)
        {
            if (body!.Length > 0)
            {
                (settings, problem) = RequestBody.Parse<WebhookSettings>(body.Span, json.Value.SerializerOptions);
                if (problem is not null)
                {
                    return problem;
                }
            }
        }

        var secret = await grains.GetGrain<IWebhookRegistryGrain>(WebhookRegistry.Key).RotateSecretAsync(flowId, settings?.AllowReplyHeaders);
        return Results.Ok(new WebhookCreated(
            $"/hooks/{flowId}",
            new Uri(new Uri(webhooks.Value.Url.Replace("*", "127.0.0.1", StringComparison.Ordinal)), $"/hooks/{flowId}").ToString(),
            secret,
            WebhookEndpoints.TimestampHeader,
            WebhookEndpoints.SignatureHeader,
            WebhookEndpoints.SecretHeader,
            settings?.AllowReplyHeaders));
    }

    /// <summary>The optional body of <c>POST /api/flows/{flowId}/webhook</c>.</summary>
    /// <param name="AllowReplyHeaders">
    /// Reply headers this webhook lets through beyond the default allow-list (e.g. <c>Location</c>, <c>Set-Cookie</c>,
    /// <c>Access-Control-Allow-Origin</c>); omitted: keep what the webhook had.
    /// </param>
    public sealed record WebhookSettings(string[]? AllowReplyHeaders);

    /// <summary>
    /// Where the webhook is and how to call it: sign each request (timestamp and signature headers), or, weaker, present
    /// the secret itself in the secret header.
    /// </summary>
    public sealed record WebhookCreated(
        string Path, string Url, string Secret, string TimestampHeader, string SignatureHeader, string SecretHeader, string[]? AllowReplyHeaders);
}
