using FlowActors.Client;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace FlowActors.Silo.Api;

/// <summary>
/// Named credentials: <c>/api/credentials</c> (the list) and <c>/api/credentials/{credentialId}</c> (PUT to create or
/// rotate, PATCH to set some fields, GET, DELETE). Values go in and never come out: every answer has field names and
/// times only.
/// </summary>
public static class CredentialEndpoints
{
    public static RouteGroupBuilder MapCredentialEndpoints(this RouteGroupBuilder api)
    {
        var credentials = api.MapGroup("/credentials").WithTags("Credentials");
        credentials.MapGet("/", async (IFlowActorsClient client, CancellationToken ct) => Results.Ok(await client.ListCredentialsAsync(ct)))
            .Produces<IReadOnlyList<CredentialInfo>>()
            .WithSummary("Every credential: its field names and when they changed, never the values.");
        credentials.MapGet("/{credentialId}", async (string credentialId, IFlowActorsClient client, CancellationToken ct) =>
                await client.GetCredentialAsync(credentialId, ct) is { } info ? Results.Ok(info) : NotFound(credentialId))
            .Produces<CredentialInfo>()
            .WithSummary("The credential's field names and when they changed, never the values.");
        credentials.MapPut("/{credentialId}", (string credentialId, HttpRequest request, IFlowActorsClient client, IOptions<ApiOptions> options, IOptions<JsonOptions> json) =>
                SetAsync(request, options, json, (fields, ct) => client.SetCredentialAsync(credentialId, Required(fields), ct)))
            .Accepts<CredentialFields>("application/json").Produces<CredentialInfo>()
            .WithSummary("Creates the credential or replaces all its fields (a rotation): {\"fields\": {\"apiKey\": \"...\"}}. " +
                "Running flows hand the new values to their next component call. Values are write-only.");
        credentials.MapPatch("/{credentialId}", (string credentialId, HttpRequest request, IFlowActorsClient client, IOptions<ApiOptions> options, IOptions<JsonOptions> json) =>
                SetAsync(request, options, json, (fields, ct) => client.UpdateCredentialAsync(credentialId, fields, ct)))
            .Accepts<CredentialFields>("application/json").Produces<CredentialInfo>()
            .WithSummary("Sets the given fields and keeps the others; a null value removes that field.");
        credentials.MapDelete("/{credentialId}", async (string credentialId, IFlowActorsClient client, CancellationToken ct) =>
                await client.DeleteCredentialAsync(credentialId, ct) ? Results.NoContent() : NotFound(credentialId))
            .WithSummary("Removes the credential. Steps that name it fail their next call until it is set again.");
        return api;
    }

    private static async Task<IResult> SetAsync(
        HttpRequest request,
        IOptions<ApiOptions> options,
        IOptions<JsonOptions> json,
        Func<IReadOnlyDictionary<string, string?>, CancellationToken, Task<CredentialInfo>> set)
    {
        var (body, problem) = await RequestBody.ReadAsync(request, options.Value.MaxBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        CredentialFields? fields;
        using (body)
        {
            (fields, problem) = RequestBody.Parse<CredentialFields>(body!.Span, json.Value.SerializerOptions);
        }

        if (problem is not null)
        {
            return problem;
        }

        return fields!.Fields is { } values
            ? Results.Ok(await set(values, request.HttpContext.RequestAborted))
            : ApiProblems.BadRequest("The request is invalid", "fields: expected an object of field names to values, e.g. {\"fields\": {\"apiKey\": \"...\"}}.");
    }

    private static IReadOnlyDictionary<string, string> Required(IReadOnlyDictionary<string, string?> fields) =>
        fields.Any(f => f.Value is null)
            ? throw new ArgumentException($"fields.{fields.First(f => f.Value is null).Key}: expected a string; null removes a field only when merging (PATCH).")
            : fields.ToDictionary(f => f.Key, f => f.Value!, StringComparer.Ordinal);

    private static IResult NotFound(string credentialId) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown credential",
        detail: $"There is no credential '{Grains.Flows.FlowValidator.Quote(credentialId)}'. Create it with PUT /api/credentials/{{id}}; list them with GET /api/credentials.");

    /// <summary>The body of PUT and PATCH <c>/api/credentials/{credentialId}</c>: field name → value.</summary>
    public sealed record CredentialFields(IReadOnlyDictionary<string, string?>? Fields)
    {
        public override string ToString() => $"CredentialFields {{ Fields = [{string.Join(", ", Fields?.Keys ?? [])}] (values not shown) }}";
    }
}
