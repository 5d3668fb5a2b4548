using FlowActors.Client;
using FlowActors.Silo.Webhooks;

namespace FlowActors.Silo.Api;

/// <summary>A flow's webhook and its secret: <c>/api/flows/{flowId}/webhook</c>.</summary>
public static class WebhookAdminEndpoints
{
    public static RouteGroupBuilder MapWebhookAdminEndpoints(this RouteGroupBuilder api)
    {
        var webhook = api.MapGroup("/flows/{flowId}/webhook").WithTags("Webhooks");
        webhook.MapPost("/", (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () =>
                    Results.Ok(new WebhookCreated(
                        $"/hooks/{flowId}",
                        await client.RotateWebhookSecretAsync(flowId, ct),
                        WebhookEndpoints.SecretHeader,
                        WebhookEndpoints.SignatureHeader))))
            .Produces<WebhookCreated>()
            .WithSummary("Creates the flow's webhook or rotates its secret. The secret is shown once; the previous one stops working.");
        webhook.MapDelete("/", (string flowId, IFlowActorsClient client, CancellationToken ct) =>
                FlowEndpoints.WhenExistsAsync(flowId, client, ct, async () =>
                {
                    await client.DeleteWebhookAsync(flowId, ct);
                    return Results.NoContent();
                }))
            .WithSummary("Removes the flow's webhook.");
        return api;
    }

    /// <summary>Where the webhook is and how to call it: present the secret in one header, or sign the body in the other.</summary>
    public sealed record WebhookCreated(string Path, string Secret, string SecretHeader, string SignatureHeader);
}
