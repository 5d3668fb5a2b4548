using FlowActors.Silo.Api;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace FlowActors.Silo.AdminConsole;

/// <summary>Wires the admin console (<c>/console</c>) and the Orleans dashboard (<c>/dashboard</c>) into the silo's web host.</summary>
public static class ConsoleHostingExtensions
{
    public static WebApplicationBuilder AddFlowActorsConsole(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsoleOptions>, ConsoleOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AdminAuthentication>();
        services.AddSingleton<SessionWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionWatch>());
        services.AddSingleton<ConsoleAssets>();
        services.AddSingleton<OverviewReader>();
        return builder;
    }

    /// <summary>Whether to add the dashboard's services to the silo; read before the host is built.</summary>
    public static bool DashboardEnabled(this IConfiguration configuration) =>
        configuration.GetValue($"{ConsoleOptions.Section}:{nameof(ConsoleOptions.Dashboard)}", defaultValue: true);

    /// <summary>The console and dashboard routes, behind the same authentication as the API (<see cref="AdminAuthentication"/>).</summary>
    public static WebApplication MapFlowActorsConsole(this WebApplication app)
    {
        app.UseDashboardHeaders();
        app.UseConsoleLoginRedirect();
        app.MapConsoleEndpoints();
        if (app.Configuration.DashboardEnabled())
        {
            app.MapOrleansDashboard(routePrefix: "/dashboard");
        }

        return app;
    }

    /// <summary>
    /// The Orleans dashboard sets no security headers of its own: its answers get a policy that lets its pages load only
    /// its own scripts, styles, fonts and data, never be framed (clickjacking), and never have their type guessed. Its
    /// bundle adds <c>&lt;style&gt;</c> elements at run time (its diagrams), hence inline styles; scripts stay strict.
    /// </summary>
    private static IApplicationBuilder UseDashboardHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/dashboard"))
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = DashboardContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY"; // frame-ancestors for browsers that predate it
            headers["Referrer-Policy"] = "same-origin";
        }

        return next(context);
    });

    internal const string DashboardContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
}
