namespace FlowActors.Containers.Processes;

/// <summary>
/// Settings of <see cref="LocalProcessContainerRuntime"/>, bound from <c>FlowActors:Containers:Process</c>. Who owns its
/// processes comes from the silo (<see cref="Leases.ContainerOwner"/>).
/// </summary>
public sealed class LocalProcessRuntimeOptions
{
    public const string SectionName = "FlowActors:Containers:Process";

    /// <summary>
    /// Where a launch's <c>./</c> and <c>../</c> paths point (command and arguments): the silo's own directory by
    /// default, where the build puts the components that ship with it. A relative setting is relative to the working directory.
    /// </summary>
    public string ComponentsDirectory { get; set; } = AppContext.BaseDirectory;

    /// <summary>
    /// The folder component processes run in. By default a new one of the runtime's own in the temporary folder, which
    /// nobody can have prepared, removed at shutdown. A configured folder is created, or refused when someone other than
    /// the silo's user could have put files there (<see cref="ComponentWorkingDirectory"/>); the component's user must be
    /// able to reach it.
    /// </summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Longer lines of a component's output are cut here before they reach the log; the rest is counted, not kept.</summary>
    public int MaxLogLineLength { get; set; } = 2000;

    /// <summary>Lines of output logged per component process per minute; the rest are counted and reported as suppressed.</summary>
    public int LogLinesPerMinute { get; set; } = 600;

    /// <summary>Timeout of one health probe (<c>GET /healthz</c>).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long stopping waits for a killed process to be gone before giving up on it.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The silo's environment variables a component process gets. Nothing else is inherited, so the silo's
    /// secrets (storage connection strings) stay out of components, as they would with Docker.
    /// </summary>
    public IList<string> InheritedEnvironmentVariables { get; } =
    [
        "PATH", "HOME", "TMPDIR", "LANG", "DOTNET_ROOT",

        // Where components send their spans (docs/observability.md): the collector the silo exports to, not a secret.
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
    ];
}
