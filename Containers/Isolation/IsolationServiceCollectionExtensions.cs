using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FlowActors.Containers.Isolation;

public static class IsolationServiceCollectionExtensions
{
    /// <summary>
    /// The silo's <see cref="ComponentIsolation"/> and <see cref="ComponentNetworks"/> (one of each, shared by the
    /// runtimes that start components and the clients that call them), with <see cref="ComponentIsolationOptions"/>
    /// validated at start.
    /// </summary>
    public static IServiceCollection AddComponentIsolation(this IServiceCollection services)
    {
        services.AddOptions<ComponentIsolationOptions>()
            .Validate(o => Enum.IsDefined(o.Mode), $"{ComponentIsolationOptions.SectionName}:Mode must be Auto, Required or Off.")
            .Validate(
                o => ProcessUser.Parse(o.ProcessUser) is not null,
                $"{ComponentIsolationOptions.SectionName}:ProcessUser must be a numeric uid:gid other than root (0), e.g. 65534:65534.")
            .ValidateOnStart();
        services.TryAddSingleton<ComponentNetworks>();
        services.TryAddSingleton<ComponentIsolation>();
        return services;
    }
}
