using FlowActors.Client;
using FlowActors.Grains.Interfaces.Components;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>Components: <c>/api/components</c>.</summary>
public static class ComponentEndpoints
{
    public static RouteGroupBuilder MapComponentEndpoints(this RouteGroupBuilder api)
    {
        var components = api.MapGroup("/components").WithTags("Components");
        components.MapGet("/", (IFlowActorsClient client, CancellationToken ct) => client.ListComponentsAsync(ct))
            .WithSummary("The newest revision of every deployed component.");
        components.MapGet("/{componentId}/revisions", (string componentId, IFlowActorsClient client, CancellationToken ct) =>
                client.ListComponentRevisionsAsync(componentId, ct))
            .WithSummary("Every revision of a component, oldest first.");
        components.MapPost("/{componentId}/revisions", DeployAsync)
            .Accepts<ComponentDeployment>("application/json")
            .Produces<ComponentRevision>(StatusCodes.Status201Created)
            .WithSummary("Deploys a new revision of a component.");
        return api;
    }

    private static async Task<IResult> DeployAsync(
        string componentId, HttpRequest request, IFlowActorsClient client, IOptions<ApiOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var (body, problem) = await RequestBody.ReadAsync(request, options.Value.MaxBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        ComponentDeployment? deployment;
        IResult? invalid;
        using (body)
        {
            (deployment, invalid) = RequestBody.Parse<ComponentDeployment>(body!.Span, json.Value.SerializerOptions);
        }

        if (invalid is not null)
        {
            return invalid;
        }

        var revision = await client.DeployComponentAsync(componentId, deployment!, request.HttpContext.RequestAborted);
        return Results.Created($"/api/components/{componentId}/revisions", revision);
    }
}
