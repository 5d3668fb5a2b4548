using FlowActors.Silo.Api;

namespace FlowActors.Silo.AdminConsole;

/// <summary>The console's pages (<c>/console</c>), its login and logout, and its static files (<c>/console/assets</c>).</summary>
public static class ConsoleEndpoints
{
    public const string LoginPath = "/console/login";

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
            await auth.IsAuthenticatedAsync(c.Request) ? Results.Redirect("/console/") : assets.Serve(c, "login.html"));
        console.MapPost("/login", LoginAsync);
        console.MapPost("/logout", async (HttpContext c, AdminAuthentication auth) =>
        {
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
        if (!guarded || await context.RequestServices.GetRequiredService<AdminAuthentication>().IsAuthenticatedAsync(context.Request))
        {
            await next(context);
            return;
        }

        // The escaped form of the path: it stays ASCII, so the way back survives LocalOrHome.
        var back = Uri.EscapeDataString(path.ToUriComponent() + context.Request.QueryString);
        context.Response.Redirect($"{LoginPath}?returnUrl={back}");
    });

    private static async Task<IResult> LoginAsync(HttpContext context, AdminAuthentication auth)
    {
        var request = context.Request;

        // The login form posts from this origin only; a page elsewhere must not log a browser in (login CSRF).
        if (request.Headers.Origin is [{ } origin] && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        if (!request.HasFormContentType)
        {
            return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        }

        var form = await request.ReadFormAsync(context.RequestAborted);
        var returnUrl = LocalOrHome(form["returnUrl"]);
        return await auth.TrySignInAsync(context, form["apiKey"])
            ? Results.Redirect(returnUrl)
            : Results.Redirect($"{LoginPath}?failed=1&returnUrl={Uri.EscapeDataString(returnUrl)}");
    }

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
