using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FlowActors.Silo.Health;

/// <summary>Ready while the silo is Active in its cluster's membership: joined, not yet shutting down.</summary>
public sealed class SiloActiveHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, $"The silo is {status} in its cluster."));
    }
}
