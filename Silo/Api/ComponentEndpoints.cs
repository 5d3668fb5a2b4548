using System.Text.Json;
using FlowActors.Client;
using FlowActors.Containers.Processes;
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
            .WithSummary("A page of a component's revisions, oldest first: ?after=N (a revision number) and ?limit=1-200 (50); 'next' links the following page; 404 when none was deployed.");
        components.MapGet("/{componentId}/revisions/{revision:int}/files", CheckFilesAsync)
            .Produces<IReadOnlyList<LaunchFileCheck>>()
            .WithSummary("The files the revision pinned at deployment, each with its digest then and now on this silo: 'changed' means the revision cannot start until a new one is deployed (or the file put back).");
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
            return ApiProblems.ComponentNotFound(componentId); // no component can have this id: do not activate a grain for it
        }

        var page = await grains.GetGrain<IComponentGrain>(componentId).GetRevisionPageAsync(after, limit, newest: false);
        if (page.Total == 0)
        {
            return ApiProblems.ComponentNotFound(componentId);
        }

        var last = page.Revisions.Count > 0 ? page.Revisions[^1].Revision : after;
        var next = last < page.Total ? $"/api/components/{componentId}/revisions?after={last}&limit={limit}" : null;
        return Results.Ok(new RevisionPage(page.Revisions, page.Total, next));
    }

    private static async Task<IResult> CheckFilesAsync(string componentId, int revision, IGrainFactory grains, LaunchFiles files, CancellationToken ct)
    {
        if (!FlowValidator.IsValidId(componentId))
        {
            return ApiProblems.ComponentNotFound(componentId);
        }

        if (await grains.GetGrain<IComponentGrain>(componentId).GetRevisionAsync(revision) is not { } found)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown revision",
                detail: $"Component '{componentId}' has no revision {revision}; list them with GET /api/components/{componentId}/revisions.");
        }

        return Results.Ok(await files.CheckAsync(found, ct));
    }

    /// <summary>
    /// The first list or map of a deployment sent as JSON <c>null</c>, or null. Left out, they are empty; <c>null</c> is a
    /// mistake worth naming (it used to fail later, when a flow started).
    /// </summary>
    private static string? ExplicitNull(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            foreach (var (parent, child) in new[] { ("launch", "arguments"), ("launch", "environment"), ("descriptor", "triggers"), ("descriptor", "actions") })
            {
                if (Property(document.RootElement, parent) is { ValueKind: JsonValueKind.Object } section
                    && Property(section, child) is { ValueKind: JsonValueKind.Null })
                {
                    return $"{parent}.{child}";
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the parse that follows says where.
        }

        return null;

        static JsonElement? Property(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object
                ? element.EnumerateObject().Where(p => p.NameEquals(name) || string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault()
                : null;
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
            if (ExplicitNull(body!.Span) is { } field)
            {
                return ApiProblems.BadRequest("The deployment is invalid", $"'{field}' is null; leave it out for none, or send {(field.EndsWith("environment", StringComparison.Ordinal) ? "an object of strings" : "an array of strings")}.");
            }

            (deployment, invalid) = RequestBody.Parse<ComponentDeployment>(body.Span, json.Value.SerializerOptions);
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
