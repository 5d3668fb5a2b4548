using FlowActors.Client;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Components;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>Components: <c>/api/components</c>.</summary>
public static class ComponentEndpoints
{
    private const int DefaultPage = 50;
    private const int MaxPage = 200;

    public static RouteGroupBuilder MapComponentEndpoints(this RouteGroupBuilder api)
    {
        var components = api.MapGroup("/components").WithTags("Components");
        components.MapGet("/", (IFlowActorsClient client, CancellationToken ct) => client.ListComponentsAsync(ct))
            .WithSummary("The newest revision of every deployed component.");
        components.MapGet("/{componentId}/revisions", ListRevisionsAsync)
            .Produces<RevisionPage>()
            .WithSummary("A page of a component's revisions, oldest first: ?after=N (a revision number) and ?limit=1-200 (50); 'next' links the following page.");
        components.MapPost("/{componentId}/revisions", DeployAsync)
            .Accepts<ComponentDeployment>("application/json")
            .Produces<ComponentRevision>(StatusCodes.Status201Created)
            .WithSummary("Deploys a new revision of a component.");
        return api;
    }

    private static async Task<IResult> ListRevisionsAsync(string componentId, IGrainFactory grains, int after = 0, int limit = DefaultPage)
    {
        if (after < 0 || limit is < 1 or > MaxPage)
        {
            return ApiProblems.BadRequest("Invalid page", $"'after' is {after} and 'limit' is {limit}; ask for after >= 0 and a limit of 1 to {MaxPage}.");
        }

        if (!FlowValidator.IsValidId(componentId))
        {
            return Results.Ok(new RevisionPage([], 0, null)); // no component can have this id: do not activate a grain for it
        }

        var page = await grains.GetGrain<IComponentGrain>(componentId).GetRevisionPageAsync(after, limit, newest: false);
        var last = page.Revisions.Count > 0 ? page.Revisions[^1].Revision : after;
        var next = last < page.Total ? $"/api/components/{componentId}/revisions?after={last}&limit={limit}" : null;
        return Results.Ok(new RevisionPage(page.Revisions, page.Total, next));
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

/// <summary>A page of revisions, oldest first; <paramref name="Next"/> is the route of the following page, or null after the last.</summary>
public sealed record RevisionPage(IReadOnlyList<ComponentRevision> Revisions, int Total, string? Next);
