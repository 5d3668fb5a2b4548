using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace FlowActors.Containers.Leases;

public static class LeaseServiceCollectionExtensions
{
    /// <summary>
    /// The lease book (<see cref="ContainerLeases"/>) and the owner every runtime labels its containers with, taken from
    /// the silo: its cluster id and address. One of each per silo, shared by whichever runtime is selected and the reaper.
    /// </summary>
    public static IServiceCollection AddContainerLeases(this IServiceCollection services)
    {
        services.TryAddSingleton<ContainerLeases>();
        services.TryAddSingleton(sp => ContainerOwner.Of(sp.GetRequiredService<IOptions<ClusterOptions>>(), sp.GetRequiredService<ILocalSiloDetails>()));
        return services;
    }
}
