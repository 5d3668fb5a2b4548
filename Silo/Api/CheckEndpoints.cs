using FlowActors.Client;
using FlowActors.Grains.Components;
using FlowActors.Grains.Credentials;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Components;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace FlowActors.Silo.Api;

/// <summary>
/// <c>POST /api/check</c>: every problem the API would find with a set of components and flows, all at once, changing
/// nothing. A flow is checked against the components (and credentials) of the same set first, then against what the silo
/// has, so that a folder that deploys a component and the flow using it is checked as it will be applied. <c>flowactors apply</c> asks
/// before it applies anything: a folder's problems are reported in one pass, not the tool's first and the silo's after.
/// </summary>
public static class CheckEndpoints
{
    public static RouteGroupBuilder MapCheckEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/check", CheckAsync).WithTags("Components", "Flows")
            .Accepts<CheckRequest>("application/json").Produces<CheckResult>()
            .WithSummary("Checks components and flow drafts as deploying and saving them would, without changing anything: 200 with every problem found.");
        return api;
    }

    private static async Task<IResult> CheckAsync(
        HttpRequest request, IGrainFactory grains, IOptions<FlowLimitsOptions> limits, IOptions<ApiOptions> options, IOptions<JsonOptions> json)
    {
        var (check, invalid) = await RequestBody.ReadJsonAsync<CheckRequest>(request, options.Value.MaxBodyBytes, json.Value.SerializerOptions);

        if (invalid is not null)
        {
            return invalid;
        }

        var problems = new List<CheckProblem>();
        var descriptors = new Dictionary<string, ComponentDescriptor?>(StringComparer.Ordinal);
        foreach (var (id, deployment) in check!.Components ?? new Dictionary<string, ComponentDeployment>())
        {
            try
            {
                ComponentDeploymentValidator.ThrowIfInvalid(id, deployment);
                descriptors[id] = deployment.Descriptor;
            }
            catch (ArgumentException e)
            {
                // The deployment's own words, without .NET's "(Parameter 'deployment')".
                problems.Add(new CheckProblem("component", id, "", e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message));
            }
        }

        foreach (var (id, definition) in check.Flows ?? new Dictionary<string, FlowDefinition>())
        {
            if (!FlowValidator.IsValidId(id))
            {
                problems.Add(new CheckProblem("flow", id, "id", $"'{FlowValidator.Quote(id)}' is not a valid flow id: expected 1-64 letters, digits, '-' or '_'."));
            }

            var draft = definition is { Edges: null, Steps: { } steps } && steps.All(s => s is not null)
                ? definition with { Edges = FlowDefinition.ChainEdges(steps) }
                : definition;
            foreach (var component in FlowValidator.ReferencedComponents(draft).Where(c => !descriptors.ContainsKey(c)))
            {
                descriptors[component] = (await grains.GetGrain<IComponentGrain>(component).GetLatestAsync())?.Descriptor;
            }

            problems.AddRange(FlowValidator.Validate(draft, descriptors, limits.Value.MaxMessagesPerExecution)
                .Concat(await CredentialReferences.ValidateAsync(grains, draft, check.Credentials))
                .Select(e => new CheckProblem("flow", id, e.Field, e.Message)));
        }

        return Results.Ok(new CheckResult(problems));
    }
}

/// <summary>
/// The body of <c>POST /api/check</c>: deployments by component id, drafts by flow id, and the ids of credentials the
/// same set creates (never their values).
/// </summary>
public sealed record CheckRequest(
    IReadOnlyDictionary<string, ComponentDeployment>? Components, IReadOnlyDictionary<string, FlowDefinition>? Flows, IReadOnlyList<string>? Credentials = null);

/// <summary>What <c>POST /api/check</c> found: nothing when the set would be accepted as it is.</summary>
public sealed record CheckResult(IReadOnlyList<CheckProblem> Problems);

/// <summary>One problem: which component or flow, where in it (a JSON-style path, empty for the whole), and what is wrong.</summary>
public sealed record CheckProblem(string Kind, string Id, string Field, string Message);
