using FlowActors.Containers.Isolation;
using FlowActors.Containers.Leases;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FlowActors.Containers.Processes;

public static class LocalProcessServiceCollectionExtensions
{
    /// <summary>
    /// Runs components as child processes of the silo (<see cref="LocalProcessContainerRuntime"/>) and registers
    /// it as the <see cref="IContainerRuntime"/>. The processes are labelled with the silo's own owner.
    /// </summary>
    public static IServiceCollection AddLocalProcessContainerRuntime(this IServiceCollection services, Action<LocalProcessRuntimeOptions>? configure = null)
    {
        var options = services.AddOptions<LocalProcessRuntimeOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => o.MaxLogLineLength > 0, $"{LocalProcessRuntimeOptions.SectionName}:MaxLogLineLength must be positive, e.g. 2000.")
            .Validate(o => o.LogLinesPerMinute > 0, $"{LocalProcessRuntimeOptions.SectionName}:LogLinesPerMinute must be positive, e.g. 600.")
            .Validate(o => o.WorkingDirectory is null || o.WorkingDirectory.Trim().Length > 0,
                $"{LocalProcessRuntimeOptions.SectionName}:WorkingDirectory is empty; leave it out or name the folder components run in.")
            .Validate(o => o.ProbeTimeout > TimeSpan.Zero, $"{LocalProcessRuntimeOptions.SectionName}:ProbeTimeout must be positive, e.g. 00:00:01.")
            .Validate(o => o.StopTimeout > TimeSpan.Zero, $"{LocalProcessRuntimeOptions.SectionName}:StopTimeout must be positive, e.g. 00:00:05.")
            .Validate(o => Directory.Exists(o.ComponentsDirectory),
                $"{LocalProcessRuntimeOptions.SectionName}:ComponentsDirectory names no directory; set the folder that launch paths starting with './' are relative to.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LoopbackPorts>();
        services.TryAddSingleton<ContainerStartGate>();
        services.AddContainerLeases();
        services.AddComponentIsolation();
        services.TryAddSingleton<LocalProcessContainerRuntime>();
        services.TryAddSingleton<LaunchFiles>();

        // Keyed, so that AddFlowActorsContainerRuntime can choose it by name; unkeyed when nothing chooses.
        services.TryAddKeyedSingleton<IContainerRuntime>("Process", (provider, _) => provider.GetRequiredService<LocalProcessContainerRuntime>());
        services.TryAddSingleton<IContainerRuntime>(provider => provider.GetRequiredService<LocalProcessContainerRuntime>());
        return services;
    }
}
