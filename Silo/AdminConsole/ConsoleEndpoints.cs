using FlowActors.Silo.Api;
using Microsoft.AspNetCore.Http.Features;

namespace FlowActors.Silo.AdminConsole;

/// <summary>The console's pages (<c>/console</c>), its login and logout, and its static files (<c>/console/assets</c>).</summary>
public static class ConsoleEndpoints
{
    public const string LoginPath = "/console/login";

    /// <summary>
    /// The largest login form read: room for the longest key and a return path, nothing more. Anyone may post to the
    /// login, so it reads far less than the API's body limit.
    /// </summary>
    public const int MaxLoginFormBytes = 8 * 1024;

    public static IEndpointRouteBuilder MapConsoleEndpoints(this IEndpointRouteBuilder app)
    {
        var console = app.MapGroup("/console").ExcludeFromDescription();
        console.MapGet("/", (HttpContext c, ConsoleAssets assets) => assets.Serve(c, "flows.html"));
        console.MapGet("/flow", (HttpContext c, ConsoleAssets assets) => assets.Serve(c, "flow.html"));
        console.MapGet("/designer", (HttpContext c, ConsoleAssets assets) => assets.Serve(c, "designer.html"));
        console.MapGet("/dead-letters", (HttpContext c, ConsoleAssets assets) => assets.Serve(c, "dead-letters.html"));
        console.MapGet("/components", (HttpContext c, ConsoleAssets assets) => assets.Serve(c, "components.html"));
        console.MapGet("/credentials", (HttpContext c, ConsoleAssets assets) => assets.Serve(c, "credentials.html"));
        console.MapGet("/assets/{name}", (string name, HttpContext c, ConsoleAssets assets) => assets.Serve(c, name));
        console.MapGet("/login", async (HttpContext c, ConsoleAssets assets, AdminAuthentication auth) =>
            (await auth.AuthenticateAsync(c)).IsAuthenticated ? Results.Redirect("/console/") : assets.Serve(c, "login.html"));
        console.MapPost("/login", LoginAsync);
        console.MapPost("/logout", async (HttpContext c, AdminAuthentication auth) =>
        {
            // A page elsewhere must not log a browser out either (a nuisance, and the start of a login CSRF).
            if (!FromThisOrigin(c.Request))
            {
                return ForeignOrigin(c.Request, "logout");
            }

            await auth.SignOutAsync(c);
            return Results.Redirect(LoginPath, preserveMethod: false);
        });
        return app;
    }

    /// <summary>
    /// Sends browsers that have not logged in from the console's pages and the dashboard to the login page, which
    /// brings them back. The API answers 401 by itself (<see cref="ApiKeyFilter"/>).
    /// </summary>
    public static IApplicationBuilder UseConsoleLoginRedirect(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path;
        var guarded = path.StartsWithSegments("/dashboard")
            || (path.StartsWithSegments("/console") && !path.StartsWithSegments(LoginPath) && !path.StartsWithSegments("/console/assets"));
        if (!guarded)
        {
            await next(context);
            return;
        }

        var caller = await context.RequestServices.GetRequiredService<AdminAuthentication>().AuthenticateAsync(context);
        if (caller.IsAuthenticated)
        {
            await next(context);
        }
        else if (caller.Kind == CallerKind.Throttled)
        {
            await ApiProblems.TooManyWrongKeys(caller.RetryAfter).ExecuteAsync(context);
        }
        else
        {
            // The escaped form of the path: it stays ASCII, so the way back survives LocalOrHome.
            var back = Uri.EscapeDataString(path.ToUriComponent() + context.Request.QueryString);
            context.Response.Redirect($"{LoginPath}?returnUrl={back}");
        }
    });

    private static async Task<IResult> LoginAsync(HttpContext context, AdminAuthentication auth)
    {
        var request = context.Request;

        // The login form posts from this origin only; a page elsewhere must not log a browser in (login CSRF).
        if (!FromThisOrigin(request))
        {
            return ForeignOrigin(request, "login form");
        }

        if (!request.HasFormContentType)
        {
            return ApiProblems.UnsupportedMediaType("the login form: application/x-www-form-urlencoded (or multipart/form-data) with the fields 'apiKey' and 'returnUrl'");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxLoginFormBytes; // chunked forms too: the server stops reading here
        }

        if (request.ContentLength > MaxLoginFormBytes)
        {
            context.Response.Headers.Connection = "close";
            return ApiProblems.TooLarge(MaxLoginFormBytes, "the login form's limit");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ApiProblems.TooLarge(MaxLoginFormBytes, "the login form's limit");
        }
        catch (InvalidDataException e)
        {
            return ApiProblems.BadRequest("The login form could not be read", e.Message);
        }

        var returnUrl = LocalOrHome(form["returnUrl"]);
        var caller = await auth.SignInAsync(context, form["apiKey"]);
        return caller.Kind switch
        {
            CallerKind.Session => Results.Redirect(returnUrl),
            CallerKind.Throttled => ApiProblems.TooManyWrongKeys(caller.RetryAfter),
            _ => Results.Redirect($"{LoginPath}?failed=1&returnUrl={Uri.EscapeDataString(returnUrl)}"),
        };
    }

    /// <summary>
    /// True when no browser page sent the request (no <c>Origin</c>: a program) or a page of this server did. Two
    /// <c>Origin</c> headers never get here (<see cref="RequestGuards"/>).
    /// </summary>
    private static bool FromThisOrigin(HttpRequest request) =>
        request.Headers.Origin.Count == 0
        || (request.Headers.Origin is [{ } origin] && string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase));

    private static IResult ForeignOrigin(HttpRequest request, string what) => Results.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Another site's page sent this",
        detail: $"The console's {what} is accepted from its own pages only (Origin {request.Scheme}://{request.Host}).");

    /// <summary>
    /// Only a path on this server, never an open redirect to another site: a '/' not followed by '/' or '\', and
    /// nothing but visible ASCII without '\'. Browsers drop tabs and line breaks from URLs and read '\' as '/', which is
    /// how "/\t/evil.example" becomes "//evil.example"; non-ASCII and spaces have no place in a Location header either.
    /// Encoded forms ("/%2F%2Fevil.example") are paths on this server: a browser does not decode them into a host.
    /// </summary>
    internal static string LocalOrHome(string? url) =>
        url is ['/', ..] && (url.Length == 1 || url[1] is not ('/' or '\\')) && url.All(c => c is > ' ' and < '\x7f' and not '\\')
            ? url
            : "/console/";
}
