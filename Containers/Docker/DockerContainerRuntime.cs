using System.Collections.Concurrent;
using Docker.DotNet;
using Docker.DotNet.Models;
using FlowActors.Containers.Isolation;
using FlowActors.Containers.Leases;
using FlowActors.Grains.Interfaces.Containers;
using FlowActors.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowActors.Containers.Docker;

/// <summary>
/// Runs each component in its own Docker container, bound to a loopback port it is given, hardened (see
/// <see cref="DockerRuntimeOptions"/>), labelled for the reaper. Where the silo can (<see cref="ComponentIsolation"/>)
/// the container has a network namespace of its own with only <c>lo</c> (<c>--network none</c>), and the silo connects
/// to it from inside that namespace; otherwise it shares the host's network. Containers it still holds when disposed
/// (silo shutdown) are removed.
/// </summary>
public sealed partial class DockerContainerRuntime : IContainerRuntime, IContainerDeathNotifier, IAsyncDisposable
{
    // ENOENT: /proc/PID is gone. EACCES: the process is another user's and the silo may not look into it.
    private const int NoSuchFile = 2;
    private const int PermissionDenied = 13;

    private readonly DockerRuntimeOptions _options;
    private readonly ContainerOwner _owner;
    private readonly ContainerLeases _leases;
    private readonly LoopbackPorts _ports;
    private readonly ComponentIsolation _isolation;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DockerEngine _engine;
    private readonly DockerImages _images;
    private readonly ContainerLogForwarder _logs;
    private readonly HealthProbe _probes;
    private readonly ConcurrentDictionary<string, Held> _held = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lazy<Task> _watcher;
    private readonly ContainerStartGate _starts;

    public DockerContainerRuntime(
        IOptions<DockerRuntimeOptions> options,
        ContainerOwner owner,
        ContainerLeases leases,
        LoopbackPorts ports,
        ComponentIsolation isolation,
        TimeProvider time,
        ILoggerFactory loggers,
        ContainerStartGate? starts = null)
    {
        _options = options.Value;
        _owner = owner;
        _leases = leases;
        _ports = ports;
        _isolation = isolation;
        _time = time;
        _starts = starts ?? new ContainerStartGate();
        _logger = loggers.CreateLogger<DockerContainerRuntime>();
        _engine = new DockerEngine(_options, _logger);
        _images = new DockerImages(_options, _logger);
        _logs = new ContainerLogForwarder(_options, loggers.CreateLogger("FlowActors.Components.Container"), time);
        _probes = new HealthProbe(_options.ProbeTimeout, isolation.Networks);
        isolation.Announce(Name, containers: true);
        var events = new DockerEventWatcher(owner.ClusterId, OnDied, _logger);
        _watcher = new Lazy<Task>(() => Task.Run(() => events.RunAsync(_engine.GetClientAsync, _stopping.Token)));
    }

    public string Name => "Docker";

    /// <inheritdoc />
    public event EventHandler<ContainerDiedEventArgs>? ContainerDied;

    /// <summary>The Engine API version in use, once connected.</summary>
    public System.Version? ApiVersion => _engine.ApiVersion;

    public async Task<ContainerLease> StartAsync(ContainerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var revision = request.Revision;
        var image = revision.Launch.Image;
        if (string.IsNullOrWhiteSpace(image))
        {
            throw new ComponentStartException(
                $"Component '{revision.ComponentId}' revision {revision.Revision} has no image, so the Docker runtime cannot run it. " +
                "Deploy a revision with ComponentLaunch.Image set, or run this silo with FlowActors:Containers:Kind=Process.");
        }

        _starts.ThrowIfClosed(request);

        // Refused at deployment; checked again for revisions stored before the list of refused variables existed.
        LaunchEnvironment.ThrowIfRefused(revision.Launch.Environment, $"Component '{revision.ComponentId}' revision {revision.Revision} (step '{request.FlowId}/{request.StepId}')");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var client = await _engine.GetClientAsync(cancellationToken);
        if (_options.WatchEvents)
        {
            _ = _watcher.Value;
        }

        var leaseId = Guid.NewGuid().ToString("N");
        var port = _ports.Reserve();
        string? containerId = null;
        try
        {
            var spec = DockerContainerSpec.Create(request, image, _options, _owner, leaseId, port, _isolation.IsolatesContainerNetwork);
            containerId = await CreateAsync(client, spec, revision.ComponentId, cancellationToken);
            var now = _time.GetUtcNow();
            var lease = new ContainerLease(leaseId, containerId, request.Holder, new Uri($"http://127.0.0.1:{port}/"), now, now + request.LeaseDuration);
            var forwarding = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            _held[containerId] = new Held(lease, request.FlowId, request.StepId, port, forwarding);
            _leases.Record(lease);

            // Registered before start, so that a component dying at once is reported, not missed.
            await client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken);
            if (_isolation.IsolatesContainerNetwork)
            {
                _isolation.Networks.Register(lease.Endpoint, await EnterableNetworkAsync(client, containerId, cancellationToken));
            }

            if (_options.ForwardLogs)
            {
                _ = Task.Run(() => _logs.ForwardAsync(client, containerId, request.FlowId, request.StepId, forwarding.Token), CancellationToken.None);
            }

            LogStarted(_logger, request.FlowId, request.StepId, containerId, image, lease.Endpoint);
            FlowMetrics.ContainerStarted(Name, started, succeeded: true);
            return lease;
        }
        catch (Exception e)
        {
            FlowMetrics.ContainerStarted(Name, started, succeeded: false);
            var exited = e is ContainerExitedException && containerId is not null
                ? ComponentStartException.Exited(containerId, await ExitOfAsync(client, containerId, CancellationToken.None))
                : null;
            if (containerId is not null)
            {
                Forget(containerId);
                if (!await RemoveQuietlyAsync(client, containerId))
                {
                    _leases.Expire(leaseId); // the reaper's next pass removes it
                }
            }
            else
            {
                _ports.Release(port);
            }

            if (exited is not null)
            {
                throw exited;
            }

            throw;
        }
    }

    public Task<bool> ProbeAsync(ContainerLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return _probes.IsHealthyAsync(lease.Endpoint, cancellationToken);
    }

    public async Task<bool> IsRunningAsync(ContainerLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var client = await _engine.GetClientAsync(cancellationToken);
        try
        {
            var inspected = await client.Containers.InspectContainerAsync(lease.ContainerId, cancellationToken);
            return inspected.State?.Running == true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
    }

    public async Task<ContainerExit?> GetExitAsync(ContainerLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await ExitOfAsync(await _engine.GetClientAsync(cancellationToken), lease.ContainerId, cancellationToken);
    }

    private static async Task<ContainerExit?> ExitOfAsync(IDockerClient client, string containerId, CancellationToken cancellationToken)
    {
        ContainerInspectResponse inspected;
        try
        {
            inspected = await client.Containers.InspectContainerAsync(containerId, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }

        if (inspected.State is not { Running: false } state)
        {
            return null;
        }

        return new ContainerExit((int)state.ExitCode, await ContainerLogForwarder.LastErrorLinesAsync(client, containerId, cancellationToken));
    }

    public Task<ContainerLease> RenewAsync(ContainerLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (!_held.TryGetValue(lease.ContainerId, out var current) || current.Lease.LeaseId != lease.LeaseId)
        {
            throw new InvalidOperationException(
                $"Lease {lease.LeaseId} on container {lease.ContainerId} is not held on this silo any more (stopped, reaped, or the " +
                "silo restarted). Start a new container with StartAsync.");
        }

        // No engine call: renewing is frequent, and a dead container is found by IsRunningAsync and ContainerDied.
        var renewed = lease with { ExpiresAt = _time.GetUtcNow() + duration };
        _held[lease.ContainerId] = current with { Lease = renewed };
        _leases.Record(renewed);
        return Task.FromResult(renewed);
    }

    public async Task StopAsync(ContainerLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var client = await _engine.GetClientAsync(cancellationToken);
        Forget(lease.ContainerId);
        try
        {
            await client.Containers.StopContainerAsync(
                lease.ContainerId,
                new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(_options.StopTimeout.TotalSeconds) },
                cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
        }

        await RemoveAsync(lease.ContainerId, cancellationToken);
        _leases.End(lease.LeaseId);
        LogStopped(_logger, lease.ContainerId, lease.Holder);
    }

    public async Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var client = await _engine.GetClientAsync(cancellationToken);
        var filter = labels.ToDictionary(pair => $"{pair.Key}={pair.Value}", _ => true);
        var listed = await client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = filter },
            },
            cancellationToken);
        return [.. listed.Select(c => new ContainerInfo(
            c.ID,
            c.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(c.Labels),
            string.Equals(c.State, "running", StringComparison.OrdinalIgnoreCase)))];
    }

    public async Task RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        var client = await _engine.GetClientAsync(cancellationToken);
        Forget(containerId);
        try
        {
            await client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // "removal already in progress": another remover (the reaper, a second stop) got there first.
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        // The container disposes this once per registration that produced it (concrete, keyed, selected).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (!_held.IsEmpty)
        {
            // Silo shutdown: nobody will hold these again; removing them now saves the reaper a round.
            var client = await _engine.GetClientAsync(CancellationToken.None);
            await Task.WhenAll(_held.Keys.ToList().Select(id => RemoveQuietlyAsync(client, id)));
        }

        // Docker.DotNet's event stream ignores cancellation while it waits for the next event, so a quiet engine
        // would hold this forever: closing the client ends the read, and the wait is bounded besides.
        await _engine.DisposeAsync();
        if (_watcher.IsValueCreated)
        {
            try
            {
                await _watcher.Value.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
                LogWatcherStuck(_logger);
            }
        }

        _probes.Dispose();
        _stopping.Dispose();
    }

    private async Task<string> CreateAsync(IDockerClient client, CreateContainerParameters spec, string componentId, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.Containers.CreateContainerAsync(spec, cancellationToken)).ID;
        }
        catch (DockerImageNotFoundException)
        {
            await _images.PullMissingAsync(client, spec.Image, componentId, cancellationToken);
            return (await client.Containers.CreateContainerAsync(spec, cancellationToken)).ID;
        }
    }

    /// <summary>
    /// The network namespace of a container that has just started, opened through its init process, which the engine
    /// reports. The silo must see the engine's processes (the same host and PID namespace): a silo elsewhere (a remote
    /// engine, Docker Desktop's VM) cannot, and the start fails saying so rather than leave a component nobody reaches.
    /// </summary>
    private static async Task<NetworkNamespace> EnterableNetworkAsync(IDockerClient client, string containerId, CancellationToken cancellationToken)
    {
        var inspected = await client.Containers.InspectContainerAsync(containerId, cancellationToken);
        var pid = inspected.State?.Pid ?? 0;
        if (pid <= 0)
        {
            throw new ContainerExitedException($"Container {containerId} is not running (it exited at once), so it has no network to connect to.");
        }

        NetworkNamespace network;
        try
        {
            network = NetworkNamespace.OfProcess((int)pid);
        }
        catch (System.ComponentModel.Win32Exception e) when (e.NativeErrorCode == NoSuchFile)
        {
            throw new ContainerExitedException($"Container {containerId} exited while it started (its process {pid} is gone).", e);
        }
        catch (System.ComponentModel.Win32Exception e) when (e.NativeErrorCode == PermissionDenied)
        {
            throw new InvalidOperationException(
                $"Could not open the network namespace of container {containerId} (process {pid}): {e.Message}. A silo that is not root " +
                "needs CAP_SYS_PTRACE (and CAP_SYS_ADMIN) to enter the namespace of a process of another user; see docs/security.md.", e);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            throw new InvalidOperationException(
                $"Could not open the network namespace of container {containerId} (process {pid}): {e.Message}. The silo must run on the " +
                $"Docker host in its PID namespace to reach isolated containers; elsewhere set {ComponentIsolationOptions.SectionName}:Mode=Off " +
                "(components then share the host's network and can reach the silo's ports).", e);
        }

        if (network.Id == NetworkNamespace.Silo.Id)
        {
            // The process that had the container's pid is gone and the pid now names one of the host's processes.
            network.Dispose();
            throw new ContainerExitedException($"Container {containerId} exited while it started (its process {pid} is gone).");
        }

        return network;
    }

    private async Task<bool> RemoveQuietlyAsync(IDockerClient client, string containerId)
    {
        try
        {
            await client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true });
            return true;
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            LogRemoveFailed(_logger, e, containerId);
            return false;
        }
    }

    /// <summary>Stops tracking a container before it is stopped on purpose, so that its death is not reported.</summary>
    private void Forget(string containerId)
    {
        if (_held.TryRemove(containerId, out var gone))
        {
            gone.Forwarding.Cancel();
            gone.Forwarding.Dispose();
            _isolation.Networks.Release(gone.Lease.Endpoint);
            _ports.Release(gone.Port);
            _leases.End(gone.Lease.LeaseId);
        }
    }

    private void OnDied(string containerId, int? exitCode)
    {
        if (!_held.TryGetValue(containerId, out var dead))
        {
            return;
        }

        // Still tracked, so nobody asked it to stop. The port stays reserved until the holder stops the lease.
        LogDied(_logger, dead.FlowId, dead.StepId, containerId, exitCode);
        try
        {
            ContainerDied?.Invoke(this, new ContainerDiedEventArgs(containerId, dead.Lease.LeaseId, dead.FlowId, dead.StepId, exitCode));
        }
        catch (Exception e)
        {
            LogHandlerFailed(_logger, e, containerId);
        }
    }

    /// <summary>The container ended while it started: described with its exit code and stderr before it is removed.</summary>
    private sealed class ContainerExitedException : Exception
    {
        public ContainerExitedException(string message)
            : base(message)
        {
        }

        public ContainerExitedException(string message, Exception innerException)
            : base(message, innerException)
        {
        }
    }

    private sealed record Held(ContainerLease Lease, string FlowId, string StepId, int Port, CancellationTokenSource Forwarding);

    [LoggerMessage(EventId = 2000, Level = LogLevel.Warning, Message = "The Docker event watcher did not stop within 5 s of the runtime's disposal; leaving it behind")]
    private static partial void LogWatcherStuck(ILogger logger);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Started container {ContainerId} ({Image}) for {FlowId}/{StepId} at {Endpoint}")]
    private static partial void LogStarted(ILogger logger, string flowId, string stepId, string containerId, string image, Uri endpoint);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Stopped and removed container {ContainerId} held by {Holder}")]
    private static partial void LogStopped(ILogger logger, string containerId, string holder);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Container {ContainerId} of {FlowId}/{StepId} died (exit code {ExitCode})")]
    private static partial void LogDied(ILogger logger, string flowId, string stepId, string containerId, int? exitCode);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Could not remove container {ContainerId}; the reaper removes it later")]
    private static partial void LogRemoveFailed(ILogger logger, Exception exception, string containerId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "A ContainerDied handler threw for container {ContainerId}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string containerId);
}
