namespace FlowActors.Containers.Docker;

/// <summary>
/// How the Docker runtime reaches the engine and how it confines components. Bound from
/// <c>FlowActors:Containers:Docker</c>. The defaults harden every container; loosen them per deployment, not per image.
/// </summary>
public sealed class DockerRuntimeOptions
{
    public const string SectionName = "FlowActors:Containers:Docker";

    /// <summary>
    /// The Docker network an isolated container joins: <c>none</c> (the default) gives it a namespace with only
    /// <c>lo</c>, so it reaches nothing at all. Components that call outside systems (most integrations) need a way out:
    /// name a user-defined network whose firewall lets traffic out but not to the silos' addresses (see
    /// docs/security.md). The container keeps a namespace of its own either way, and the silo still enters it to reach
    /// the component on its loopback port, so nothing on that network needs to reach the component.
    /// </summary>
    public string Network { get; set; } = "none";

    /// <summary>The engine's endpoint: <c>unix:///var/run/docker.sock</c> or <c>tcp://127.0.0.1:2375</c>.</summary>
    public string Endpoint { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>
    /// The newest Engine API version this client speaks: Docker.DotNet 3.125's models are generated from Engine
    /// 20.10 (API 1.41). The runtime uses min(this, engine's version), raised to the engine's minimum when the engine
    /// refuses older versions (Engine 25+ refuses below 1.24, Engine 29 below 1.44).
    /// </summary>
    public string MaxApiVersion { get; set; } = "1.41";

    /// <summary>Timeout of one engine call (not of log or event streams, which stay open).</summary>
    public TimeSpan ApiTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Pull an image that is not present. Off by default: images are built and loaded locally
    /// (<c>scripts/build-test-images.sh</c>); turn it on where a registry serves the component images.
    /// </summary>
    public bool PullMissingImages { get; set; }

    /// <summary>Memory limit per container; swap is disabled (memory+swap = memory).</summary>
    public int MemoryMegabytes { get; set; } = 256;

    /// <summary>CPU limit per container, in cores.</summary>
    public double Cpus { get; set; } = 1.0;

    /// <summary>Process/thread limit per container: stops a fork bomb; .NET components need a few dozen threads.</summary>
    public int PidsLimit { get; set; } = 128;

    /// <summary>
    /// User the component runs as (<c>uid[:gid]</c>); 65534 is "nobody". Empty keeps the image's own user, for images
    /// that must own files in their root file system.
    /// </summary>
    public string? User { get; set; } = "65534:65534";

    /// <summary>Mount the image's root file system read-only; the component writes only to <c>/tmp</c>.</summary>
    public bool ReadOnlyRootFilesystem { get; set; } = true;

    /// <summary>Size of the tmpfs mounted on <c>/tmp</c> (counted against the memory limit).</summary>
    public int TmpfsMegabytes { get; set; } = 16;

    /// <summary>
    /// Run Docker's init as PID 1: a shell or .NET process as PID 1 ignores SIGTERM, so every stop would wait for the
    /// kill timeout; the init forwards the signal and reaps zombies.
    /// </summary>
    public bool UseInit { get; set; } = true;

    /// <summary>How long a stopping component gets after SIGTERM before it is killed.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout of one health probe (<c>GET /healthz</c>).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Watch the engine's event stream and raise <see cref="IContainerDeathNotifier.ContainerDied"/>.</summary>
    public bool WatchEvents { get; set; } = true;

    /// <summary>Forward each container's stdout and stderr to the silo's log.</summary>
    public bool ForwardLogs { get; set; } = true;

    /// <summary>Longer log lines are cut here (a component printing a whole payload should not flood the silo's log).</summary>
    public int LogLineMaxLength { get; set; } = 2000;

    /// <summary>Log lines forwarded per container per minute; the rest are counted and reported as suppressed.</summary>
    public int LogLinesPerMinute { get; set; } = 600;
}
