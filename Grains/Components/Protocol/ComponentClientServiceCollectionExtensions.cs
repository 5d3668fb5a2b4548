using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FlowActors.Grains.Components.Protocol;

public static class ComponentClientServiceCollectionExtensions
{
    /// <summary>Registers the silo's single <see cref="ComponentClient"/> and validates its options at start-up.</summary>
    public static IServiceCollection AddComponentClient(this IServiceCollection services, Action<ComponentClientOptions>? configure = null)
    {
        var options = services.AddOptions<ComponentClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => o.ConnectTimeout > TimeSpan.Zero, "ComponentClientOptions.ConnectTimeout must be positive, e.g. 00:00:02.")
            .Validate(o => o.PooledConnectionIdleTimeout >= TimeSpan.Zero, "ComponentClientOptions.PooledConnectionIdleTimeout must not be negative.")
            .Validate(o => o.MaxReplyBytes > 0, "ComponentClientOptions.MaxReplyBytes must be positive, e.g. 16777216.")
            .ValidateOnStart();
        services.TryAddSingleton<ComponentClient>();
        return services;
    }
}
