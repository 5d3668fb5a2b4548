using FlowActors.Silo.Webhooks.Replay;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Webhooks;

/// <summary>Wires the webhook listener, its copy of the webhooks, its rate limits and its endpoints into the silo's web host.</summary>
public static class WebhookHostingExtensions
{
    public static WebApplicationBuilder AddFlowActorsWebhooks(this WebApplicationBuilder builder)
    {
        builder.UseFlowActorsListeners();
        var services = builder.Services;
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<WebhookDirectory>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDirectory>());
        services.AddHostedService<ReplayGuardSweeper>(); // the profile registers the IReplayGuard
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<WebhookOptions>, WebhookDirectory>(
            (limiter, webhooks, directory) => WebhookRateLimiting.Configure(limiter, webhooks.Value.RateLimits, directory));
        return builder;
    }

    /// <summary>
    /// First in the pipeline: each listener serves only its own routes, then webhook requests pass the rate limits.
    /// </summary>
    public static WebApplication UseFlowActorsWebhookGuards(this WebApplication app)
    {
        app.UseListenerSeparation();
        app.UseRateLimiter();
        return app;
    }

    public static WebApplication MapFlowActorsWebhooks(this WebApplication app)
    {
        app.MapWebhookEndpoints();
        return app;
    }

    /// <summary>Binds both listeners: <c>urls</c> for the admin side, <see cref="WebhookOptions.Url"/> for webhooks.</summary>
    private static WebApplicationBuilder UseFlowActorsListeners(this WebApplicationBuilder builder)
    {
        // Loopback only unless an operator deliberately configures other URLs (--urls, or the "urls" setting).
        var admin = (builder.Configuration["urls"] ?? WebhookListener.DefaultAdminUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var webhooks = builder.Configuration[$"{WebhookOptions.Section}:{nameof(WebhookOptions.Url)}"] ?? WebhookOptions.DefaultUrl;
        var port = WebhookListener.PortOf(webhooks) ?? throw new OptionsValidationException(WebhookOptions.Section, typeof(WebhookOptions),
            [$"{WebhookOptions.Section}:Url is '{webhooks}'; set an http or https URL with a port, such as {WebhookOptions.DefaultUrl}."]);
        if (admin.Any(url => WebhookListener.PortOf(url) == port))
        {
            throw new OptionsValidationException(WebhookOptions.Section, typeof(WebhookOptions),
                [$"{WebhookOptions.Section}:Url uses port {port}, which the admin listener (--urls) uses too; give webhooks a port of their own."]);
        }

        builder.WebHost.UseUrls([.. admin, webhooks]);
        builder.Services.AddSingleton(new WebhookListener(port));
        return builder;
    }

    /// <summary>
    /// Serves <c>/hooks</c> only on the webhook listener and everything else only on the admin listener; elsewhere it
    /// is 404. Every answer of the webhook listener tells browsers not to guess content types.
    /// </summary>
    private static IApplicationBuilder UseListenerSeparation(this IApplicationBuilder app)
    {
        var listener = app.ApplicationServices.GetRequiredService<WebhookListener>();
        return app.Use((context, next) =>
        {
            var onWebhookListener = context.Connection.LocalPort == listener.Port;
            if (onWebhookListener)
            {
                context.Response.Headers.XContentTypeOptions = "nosniff";
            }

            if (onWebhookListener == context.Request.Path.StartsWithSegments("/hooks"))
            {
                return next(context);
            }

            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: onWebhookListener ? "This listener serves webhooks only (/hooks/{flowId})." : "Webhooks are served on their own listener (FlowActors:Webhooks:Url).")
                .ExecuteAsync(context);
        });
    }
}
