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
        app.UseConsoleLoginRedirect();
        app.MapConsoleEndpoints();
        if (app.Configuration.DashboardEnabled())
        {
            app.MapOrleansDashboard(routePrefix: "/dashboard");
        }

        return app;
    }
}
