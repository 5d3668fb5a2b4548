using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using FlowActors.Containers.Isolation;
using FlowActors.Containers.Leases;
using FlowActors.Containers.Output;
using FlowActors.Grains.Interfaces.Containers;
using FlowActors.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowActors.Containers.Processes;

/// <summary>
/// Runs components as child processes of the silo: the embedded default where no Docker engine is reachable, and the
/// fast path for tests. Each process dies with the silo, however the silo ends (<see cref="ComponentLauncher"/>), and
/// names its flow and step in its command line. Where the silo can (<see cref="ComponentIsolation"/>), each runs in a
/// network namespace of its own, reached only through the silo's connections, and as an unprivileged user. Leases are recorded in <see cref="ContainerLeases"/> and expire in
/// the reaper, as Docker's do; an exit nobody asked for raises <see cref="ContainerDied"/>; disposing the runtime
/// (silo shutdown) stops every process it started.
/// </summary>
public sealed partial class LocalProcessContainerRuntime : IContainerRuntime, IContainerDeathNotifier, IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, ComponentProcess> _processes = new(StringComparer.Ordinal);
    private readonly ContainerOwner _owner;
    private readonly ContainerLeases _leases;
    private readonly HealthProbe _probes;
    private readonly LoopbackPorts _ports;
    private readonly LocalProcessRuntimeOptions _options;
    private readonly ComponentLauncher _launcher = ComponentLauncher.Current;
    private readonly ComponentIsolation _isolation;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ComponentOutputLimits _outputLimits;
    private readonly ContainerStartGate _starts;
    private readonly LaunchFiles _files;
    private readonly Lock _workingDirectoryGate = new();
    private volatile bool _disposed;
    private string? _workingDirectory;

    public LocalProcessContainerRuntime(
        ContainerOwner owner,
        ContainerLeases leases,
        LoopbackPorts ports,
        ComponentIsolation isolation,
        IOptions<LocalProcessRuntimeOptions> options,
        ILogger<LocalProcessContainerRuntime> logger,
        TimeProvider time,
        ContainerStartGate? starts = null)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(isolation);
        ArgumentNullException.ThrowIfNull(options);
        _owner = owner;
        _isolation = isolation;
        _leases = leases;
        _ports = ports;
        _options = options.Value;
        _logger = logger;
        _time = time;
        _starts = starts ?? new ContainerStartGate();
        _files = new LaunchFiles(options);
        _probes = new HealthProbe(_options.ProbeTimeout, isolation.Networks);
        _outputLimits = new ComponentOutputLimits(_options.MaxLogLineLength, _options.LogLinesPerMinute);
        isolation.Announce(Name, containers: false);
        if (!_launcher.DiesWithSilo)
        {
            LogNoParentDeathSignal(_logger);
        }

        if (!_launcher.NamesProcesses)
        {
            LogUnnamedProcesses(_logger);
        }

        if (!_launcher.SeparatesSession && !OperatingSystem.IsWindows())
        {
            LogNoSession(_logger);
        }
    }

    public string Name => "Process";

    /// <inheritdoc />
    public event EventHandler<ContainerDiedEventArgs>? ContainerDied;

    public async Task<ContainerLease> StartAsync(ContainerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        _starts.ThrowIfClosed(request);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        LaunchEnvironment.ThrowIfRefused(request.Revision.Launch.Environment, Describe(request));
        await _files.ThrowIfChangedAsync(request, cancellationToken);
        var user = _isolation.ProcessUser;
        if (user is not null)
        {
            // Names what is wrong with the revision's command, or the file its user cannot read.
            await ComponentFileAccess.CheckAsync(
                request, ComponentProcessStart.Executable(request, _options), ComponentProcessStart.Arguments(request, _options), user, _launcher, cancellationToken);
        }

        var port = _ports.Reserve();
        System.Diagnostics.Process process;
        NetworkNamespace? network;
        ComponentStart start;
        try
        {
            // Create names what is wrong with the revision's command itself.
            start = ComponentProcessStart.Create(request, port, _options, _launcher, WorkingDirectory(), user);
            (process, network) = await ComponentSpawner.StartAsync(start.Process, ownNetwork: _isolation.IsolatesNetwork);
        }
        catch (Win32Exception exception)
        {
            FlowMetrics.ContainerStarted(Name, started, succeeded: false);
            _ports.Release(port);
            throw new ComponentStartException(
                $"Could not start component '{request.Revision.ComponentId}' revision {request.Revision.Revision} for step "
                + $"'{request.FlowId}/{request.StepId}' as '{ComponentProcessStart.Describe(request)}': {exception.Message}. "
                + "Check the revision's ComponentLaunch.Command and Arguments.",
                exception);
        }
        catch
        {
            FlowMetrics.ContainerStarted(Name, started, succeeded: false);
            _ports.Release(port);
            throw;
        }

        var now = _time.GetUtcNow();
        var leaseId = Guid.NewGuid().ToString("N");
        var endpoint = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        if (network is not null)
        {
            _isolation.Networks.Register(endpoint, network);
        }

        var component = new ComponentProcess(
            process, start.Input, endpoint, leaseId, ContainerLabels.Create(_owner, request, leaseId), request, _outputLimits, _logger, _time, OnExitedUnasked);
        var lease = new ContainerLease(leaseId, component.ContainerId, request.Holder, endpoint, now, now + request.LeaseDuration);
        _processes[component.ContainerId] = component;
        _leases.Record(lease);
        LogStarted(_logger, request.Revision.ComponentId, request.Revision.Revision, request.FlowId, request.StepId, component.ContainerId, endpoint, request.Holder);

        if (_disposed)
        {
            // Disposal ran while this process started and could not see it.
            await StopAndForgetAsync(component);
            throw new ObjectDisposedException(GetType().FullName);
        }

        FlowMetrics.ContainerStarted(Name, started, succeeded: true);
        return lease;
    }

    public async Task<bool> ProbeAsync(ContainerLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Find(lease.ContainerId) is { IsRunning: true } component
            && await _probes.IsHealthyAsync(component.Endpoint, cancellationToken);
    }

    public Task<bool> IsRunningAsync(ContainerLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Task.FromResult(Find(lease.ContainerId) is { IsRunning: true });
    }

    public async Task<ContainerExit?> GetExitAsync(ContainerLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Find(lease.ContainerId) is { } component ? await component.GetExitAsync(cancellationToken) : null;
    }

    public Task<ContainerLease> RenewAsync(ContainerLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var component = Find(lease.ContainerId);
        if (component is null || component.LeaseId != lease.LeaseId)
        {
            throw new InvalidOperationException(
                $"Lease '{lease.LeaseId}' on {lease.ContainerId} held by '{lease.Holder}' is no longer held: the process was "
                + "stopped, or reaped after its lease expired. Start a new container and renew its lease before it expires.");
        }

        if (component.IsStopping)
        {
            throw new InvalidOperationException(
                $"Cannot renew lease '{lease.LeaseId}': component process {lease.ContainerId} is being stopped. Start a new container.");
        }

        if (!component.IsRunning)
        {
            throw new InvalidOperationException(
                $"Cannot renew lease '{lease.LeaseId}': component process {lease.ContainerId} has exited. Stop it and start a new container.");
        }

        var renewed = lease with { ExpiresAt = _time.GetUtcNow() + duration };
        _leases.Record(renewed);
        return Task.FromResult(renewed);
    }

    public Task StopAsync(ContainerLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return RemoveAsync(lease.ContainerId, cancellationToken);
    }

    public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        IReadOnlyList<ContainerInfo> matches =
        [
            .. _processes.Values
                .Where(component => labels.All(label => component.Labels.TryGetValue(label.Key, out var value) && value == label.Value))
                .Select(component => new ContainerInfo(component.ContainerId, component.Labels, component.IsRunning)),
        ];
        return Task.FromResult(matches);
    }

    public async Task RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(containerId);
        if (Find(containerId) is not { } component)
        {
            return;
        }

        // A caller that gives up waiting does not stop the removal: it goes on without the caller's token.
        await StopAndForgetAsync(component).WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await Task.WhenAll(_processes.Keys.Select(id => RemoveAsync(id, CancellationToken.None)));
        _probes.Dispose();
        if (_options.WorkingDirectory is null && _workingDirectory is { } own)
        {
            try
            {
                Directory.Delete(own, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogWorkingDirectoryLeft(_logger, own, e.Message);
            }
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Every caller waits for the same stop; the entry leaves the table only once the process is gone, so a
    /// listing never misses a process that still runs.
    /// </summary>
    private async Task StopAndForgetAsync(ComponentProcess component)
    {
        await component.StopAsync(_options.StopTimeout);
        _isolation.Networks.Release(component.Endpoint);
        _ports.Release(component.Endpoint.Port);
        _leases.End(component.LeaseId);
        if (_processes.TryRemove(new KeyValuePair<string, ComponentProcess>(component.ContainerId, component)))
        {
            LogStopped(_logger, component.ContainerId, component.Holder);
        }
    }

    private static string Describe(ContainerRequest request) =>
        $"Component '{request.Revision.ComponentId}' revision {request.Revision.Revision} (step '{request.FlowId}/{request.StepId}')";

    /// <summary>The folder components run in, made or checked at the first start (and again after a refusal, once fixed).</summary>
    private string WorkingDirectory()
    {
        lock (_workingDirectoryGate)
        {
            return _workingDirectory ??= _options.WorkingDirectory is { } configured
                ? ComponentWorkingDirectory.Ensure(configured)
                : ComponentWorkingDirectory.CreatePrivate();
        }
    }

    private ComponentProcess? Find(string containerId) => _processes.GetValueOrDefault(containerId);

    /// <summary>
    /// A process died that nobody stopped (a crash, an out-of-memory kill, <c>kill -9</c>): its holder hears it now, so a
    /// real-time step replaces it before the next message arrives. The entry stays until the holder stops the lease.
    /// </summary>
    private void OnExitedUnasked(ComponentProcess component, int exitCode)
    {
        try
        {
            ContainerDied?.Invoke(this, new ContainerDiedEventArgs(component.ContainerId, component.LeaseId, component.FlowId, component.StepId, exitCode));
        }
        catch (Exception exception)
        {
            LogDeathHandlerFailed(_logger, exception, component.ContainerId);
        }
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Started component {Component} revision {Revision} for step {Flow}/{Step} as {ContainerId} on {Endpoint}, leased to {Holder}")]
    private static partial void LogStarted(ILogger logger, string component, int revision, string flow, string step, string containerId, Uri endpoint, string holder);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Stopped component process {ContainerId} (was leased to {Holder})")]
    private static partial void LogStopped(ILogger logger, string containerId, string holder);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "A ContainerDied handler threw for component process {ContainerId}")]
    private static partial void LogDeathHandlerFailed(ILogger logger, Exception exception, string containerId);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "setpriv with --pdeathsig (util-linux) was not found on PATH: component processes will outlive this silo if it is killed (kill -9, out of memory). Install util-linux, or use the Docker runtime")]
    private static partial void LogNoParentDeathSignal(ILogger logger);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "bash was not found on PATH: component processes run under their own command line, which does not name their flow and step (their environment does: FLOWACTORS_FLOW, FLOWACTORS_STEP)")]
    private static partial void LogUnnamedProcesses(ILogger logger);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "Could not remove the components' working directory {Folder}: {Reason}")]
    private static partial void LogWorkingDirectoryLeft(ILogger logger, string folder, string reason);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "setsid (util-linux) was not found on PATH: component processes share the silo's terminal, so Ctrl+C there reaches them too")]
    private static partial void LogNoSession(ILogger logger);
}
