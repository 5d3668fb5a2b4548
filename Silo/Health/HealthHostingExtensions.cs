using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace FlowActors.Silo.Health;

/// <summary>
/// <c>/health/live</c> (the process serves HTTP) and <c>/health/ready</c> (the silo is Active in its cluster and its
/// container runtime answers): anonymous, for load balancers, Kubernetes and Azure probes, and answering nothing but
/// <c>Healthy</c> (200) or <c>Unhealthy</c> (503). Why a check failed goes to the silo's log, not to the caller.
/// </summary>
public static class HealthHostingExtensions
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    private const string Ready = "ready";

    /// <summary>How long one check may take before it counts as failed: a probe must answer promptly.</summary>
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public static WebApplicationBuilder AddFlowActorsHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<SiloActiveHealthCheck>("silo", tags: [Ready], timeout: CheckTimeout)
            .AddCheck<ContainerRuntimeHealthCheck>("containers", tags: [Ready], timeout: CheckTimeout);
        return builder;
    }

    public static WebApplication MapFlowActorsHealth(this WebApplication app)
    {
        // Liveness runs no check: a silo whose engine is away is alive, and restarting it would not bring the engine back.
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false }).ExcludeFromDescription();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready) }).ExcludeFromDescription();
        return app;
    }
}
