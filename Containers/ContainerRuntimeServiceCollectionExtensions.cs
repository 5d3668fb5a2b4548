using FlowActors.Containers.Docker;
using FlowActors.Containers.Isolation;
using FlowActors.Containers.Leases;
using FlowActors.Containers.Processes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowActors.Containers;

public static partial class ContainerRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers the container runtime chosen by <c>FlowActors:Containers:Kind</c> as <see cref="IContainerRuntime"/>,
    /// how components are isolated (<c>FlowActors:Containers:Isolation</c>), the reaper (a silo lifecycle participant) over that runtime, the lease book and owner they share, and their
    /// options, validated at start. Each runtime is also a keyed service under its <see cref="IContainerRuntime.Name"/>
    /// ("Docker", "Process").
    /// </summary>
    public static IServiceCollection AddFlowActorsContainerRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ContainerRuntimeOptions>()
            .Bind(configuration.GetSection(ContainerRuntimeOptions.SectionName))
            .Validate(o => Enum.IsDefined(o.Kind), $"{ContainerRuntimeOptions.SectionName}:Kind must be Auto, Docker or Process.")
            .Validate(o => o.AutoPingTimeout > TimeSpan.Zero, $"{ContainerRuntimeOptions.SectionName}:AutoPingTimeout must be positive, e.g. 00:00:00.5.")
            .ValidateOnStart();
        services.AddOptions<DockerRuntimeOptions>().Bind(configuration.GetSection(DockerRuntimeOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DockerRuntimeOptions>, DockerRuntimeOptionsValidator>());
        services.AddOptions<ContainerReaperOptions>()
            .Bind(configuration.GetSection(ContainerReaperOptions.SectionName))
            .Validate(o => o.Period > TimeSpan.Zero, $"{ContainerReaperOptions.SectionName}:Period must be positive, e.g. 00:01:00.")
            .Validate(o => o.Grace >= TimeSpan.Zero, $"{ContainerReaperOptions.SectionName}:Grace must not be negative, e.g. 00:00:30.")
            .ValidateOnStart();

        services.AddOptions<ComponentIsolationOptions>().Bind(configuration.GetSection(ComponentIsolationOptions.SectionName));
        services.AddComponentIsolation();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LoopbackPorts>();
        services.AddContainerLeases();

        services.TryAddSingleton<DockerContainerRuntime>();
        services.TryAddKeyedSingleton<IContainerRuntime>("Docker", (sp, _) => sp.GetRequiredService<DockerContainerRuntime>());
        services.AddOptions<LocalProcessRuntimeOptions>().Bind(configuration.GetSection(LocalProcessRuntimeOptions.SectionName));
        services.AddLocalProcessContainerRuntime();
        services.Replace(ServiceDescriptor.Singleton(Select));
        services.TryAddSingleton<IContainerDeathNotifier>(sp =>
            sp.GetRequiredService<IContainerRuntime>() as IContainerDeathNotifier ?? NoDeathNotifications.Instance);

        services.TryAddSingleton<ContainerStartGate>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ContainerStartGate>());

        services.TryAddSingleton<ContainerReaper>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ContainerReaper>());
        return services;
    }

    private static IContainerRuntime Select(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value;
        var kind = options.Kind;
        if (kind == ContainerRuntimeKind.Auto)
        {
            var endpoint = services.GetRequiredService<IOptions<DockerRuntimeOptions>>().Value.Endpoint;
            // Runs once, when the first step needs a runtime. Task.Run keeps the blocking wait off Orleans' scheduler.
            var answers = Task.Run(() => DockerEngine.AnswersAsync(endpoint, options.AutoPingTimeout, CancellationToken.None)).GetAwaiter().GetResult();
            kind = answers ? ContainerRuntimeKind.Docker : ContainerRuntimeKind.Process;
            LogAutoSelected(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ContainerRuntimeServiceCollectionExtensions)), kind, endpoint);
        }

        var key = kind.ToString();
        return services.GetKeyedService<IContainerRuntime>(key) ?? throw new InvalidOperationException(
            $"{ContainerRuntimeOptions.SectionName}:Kind selects the {key} container runtime, but none is registered. " +
            "Set Kind to Docker or Process.");
    }

    [LoggerMessage(EventId = 2050, Level = LogLevel.Information, Message = "Container runtime Auto chose {Kind} (Docker engine at {Endpoint})")]
    private static partial void LogAutoSelected(ILogger logger, ContainerRuntimeKind kind, string endpoint);

    /// <summary>For runtimes that cannot report deaths by themselves: holders fall back to IsRunningAsync.</summary>
    private sealed class NoDeathNotifications : IContainerDeathNotifier
    {
        public static readonly NoDeathNotifications Instance = new();

        public event EventHandler<ContainerDiedEventArgs>? ContainerDied
        {
            add { }
            remove { }
        }
    }
}
