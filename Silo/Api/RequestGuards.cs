using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>
/// What every request to either listener must be before anything reads it or asks who sent it: a body within
/// <see cref="ApiOptions.MaxBodyBytes"/> (the server's own limit, so that no endpoint, authenticated or not, ours or the
/// dashboard's, reads more; a declared larger body is 413 at once and never read), at most one <c>Origin</c> header, and
/// a path without control characters. Responses over HTTPS carry <c>Strict-Transport-Security</c>.
/// </summary>
public static class RequestGuards
{
    public static WebApplicationBuilder AddFlowActorsRequestGuards(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>((kestrel, api) => kestrel.Limits.MaxRequestBodySize = api.Value.MaxBodyBytes);

        // A year, for the host alone (subdomains and preload lists are the operator's decision). Loopback names stay
        // excluded (ASP.NET Core's default): browsers ignore HSTS for IP addresses, and for "localhost" it would pin every
        // local development server of the machine to https.
        builder.Services.AddHsts(hsts => hsts.MaxAge = TimeSpan.FromDays(365));
        return builder;
    }

    /// <summary>First in the pipeline, before the listeners are told apart and before any rate limit or credential.</summary>
    public static WebApplication UseFlowActorsRequestGuards(this WebApplication app)
    {
        app.UseHsts();
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (request.Path.Value is { } path && path.Any(char.IsControl))
            {
                // No route needs one, and a handler that fails on it would put a forged line into the log through its
                // exception's message (the dashboard's silo routes did).
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid path",
                    detail: "The path holds control characters.").ExecuteAsync(context);
            }

            var origins = request.Headers.Origin;
            if (origins.Count > 1 || (origins.Count == 1 && origins[0]?.Contains(',', StringComparison.Ordinal) == true))
            {
                // A browser sends one origin; a check that reads the first (or any) of two can be led astray.
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "More than one Origin",
                    detail: "The request names more than one origin (two Origin headers, or a list in one); send at most one.").ExecuteAsync(context);
            }

            if (request.ContentLength > context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize)
            {
                // Closing the connection spares reading (and discarding) what the client would still send.
                context.Response.Headers.Connection = "close";
                return ApiProblems.TooLarge(context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxBodyBytes)
                    .ExecuteAsync(context);
            }

            return next(context);
        });
        return app;
    }
}
