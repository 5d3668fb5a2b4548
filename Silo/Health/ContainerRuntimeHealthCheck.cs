using FlowActors.Containers;
using FlowActors.Containers.Leases;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FlowActors.Silo.Health;

/// <summary>
/// Ready while the container runtime answers: it lists this cluster's containers (what the reaper asks too), which for
/// Docker is a round trip to the engine and for local processes a look at the silo's own table.
/// </summary>
public sealed class ContainerRuntimeHealthCheck(IContainerRuntime runtime, ContainerOwner owner) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Cluster] = owner.ClusterId }, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The reason is for the silo's log (the health check service logs it); the probe's answer says only "Unhealthy".
            return new HealthCheckResult(context.Registration.FailureStatus, $"The {runtime.Name} container runtime does not answer.", exception);
        }
    }
}
