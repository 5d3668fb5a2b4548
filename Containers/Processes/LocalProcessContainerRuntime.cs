using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using FlowActors.Grains.Interfaces.Containers;
using FlowActors.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowActors.Containers.Processes;

/// <summary>
/// Runs components as child processes of the silo: the embedded default where no Docker engine is
/// reachable, and the fast path for tests. Leases live in memory, so they end with the silo; a timer
/// stops processes whose lease expired without renewal (their holder is gone), and disposing the runtime
/// (silo shutdown) stops every process it started.
/// </summary>
public sealed partial class LocalProcessContainerRuntime : IContainerRuntime, IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, ComponentProcess> _processes = new(StringComparer.Ordinal);
    private readonly HealthProbe _probes;
    private readonly LoopbackPorts _ports;
    private readonly LocalProcessRuntimeOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ITimer _leaseCheck;
    private int _checkingLeases;
    private volatile bool _disposed;

    public LocalProcessContainerRuntime(
        LoopbackPorts ports,
        IOptions<LocalProcessRuntimeOptions> options,
        ILogger<LocalProcessContainerRuntime> logger,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ports = ports;
        _options = options.Value;
        _logger = logger;
        _time = time;
        _probes = new HealthProbe(_options.ProbeTimeout);
        _leaseCheck = time.CreateTimer(_ => _ = StopExpiredAsync(), null, _options.LeaseCheckPeriod, _options.LeaseCheckPeriod);
    }

    public string Name => "Process";

    public Task<ContainerLease> StartAsync(ContainerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);

        var started = Stopwatch.GetTimestamp();
        var port = _ports.Reserve();
        var start = ComponentProcessStart.Create(request, port, _options);
        Process process;
        try
        {
            process = Process.Start(start)
                ?? throw new InvalidOperationException("The operating system started no process.");
        }
        catch (Exception exception) when (exception is Win32Exception or InvalidOperationException)
        {
            FlowMetrics.ContainerStarted(Name, started, succeeded: false);
            throw new InvalidOperationException(
                $"Could not start component '{request.Revision.ComponentId}' revision {request.Revision.Revision} for step "
                + $"'{request.FlowId}/{request.StepId}' as '{ComponentProcessStart.Describe(start)}': {exception.Message}. "
                + "Check the revision's ComponentLaunch.Command and Arguments.",
                exception);
        }

        var now = _time.GetUtcNow();
        var leaseId = Guid.NewGuid().ToString("N");
        var endpoint = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var component = new ComponentProcess(
            process, endpoint, leaseId, request.Holder, now + request.LeaseDuration, Labels(request, leaseId),
            request, _options.MaxLogLineLength, _logger);
        _processes[component.ContainerId] = component;
        LogStarted(_logger, request.Revision.ComponentId, request.Revision.Revision, request.FlowId, request.StepId, component.ContainerId, endpoint, request.Holder);

        if (_disposed)
        {
            // Disposal ran while this process started and could not see it.
            _ = component.StopAsync(_options.StopTimeout);
            throw new ObjectDisposedException(GetType().FullName);
        }

        FlowMetrics.ContainerStarted(Name, started, succeeded: true);
        return Task.FromResult(new ContainerLease(leaseId, component.ContainerId, request.Holder, endpoint, now, now + request.LeaseDuration));
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

        if (!component.IsRunning)
        {
            throw new InvalidOperationException(
                $"Cannot renew lease '{lease.LeaseId}': component process {lease.ContainerId} has exited. Stop it and start a new container.");
        }

        var expiresAt = _time.GetUtcNow() + duration;
        if (!component.TryRenew(expiresAt))
        {
            throw new InvalidOperationException(
                $"Cannot renew lease '{lease.LeaseId}': component process {lease.ContainerId} is being stopped. Start a new container.");
        }

        return Task.FromResult(lease with { ExpiresAt = expiresAt });
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
        await _leaseCheck.DisposeAsync();
        await Task.WhenAll(_processes.Keys.Select(id => RemoveAsync(id, CancellationToken.None)));
        _probes.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Every caller waits for the same stop; the entry leaves the table only once the process is gone, so a
    /// listing never misses a process that still runs.
    /// </summary>
    private async Task StopAndForgetAsync(ComponentProcess component)
    {
        await component.StopAsync(_options.StopTimeout);
        _ports.Release(component.Endpoint.Port);
        if (_processes.TryRemove(new KeyValuePair<string, ComponentProcess>(component.ContainerId, component)))
        {
            LogStopped(_logger, component.ContainerId, component.Holder);
        }
    }

    private ComponentProcess? Find(string containerId) => _processes.GetValueOrDefault(containerId);

    private Dictionary<string, string> Labels(ContainerRequest request, string leaseId)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ContainerLabels.Cluster] = _options.ClusterId,
            [ContainerLabels.Flow] = request.FlowId,
            [ContainerLabels.Step] = request.StepId,
            [ContainerLabels.Component] = request.Revision.ComponentId,
            [ContainerLabels.Revision] = request.Revision.Revision.ToString(CultureInfo.InvariantCulture),
            [ContainerLabels.Lease] = leaseId,
            [ContainerLabels.Holder] = request.Holder,
        };
        if (!string.IsNullOrEmpty(_options.SiloName))
        {
            labels[ContainerLabels.Silo] = _options.SiloName;
        }

        return labels;
    }

    private async Task StopExpiredAsync()
    {
        // A slow stop must not let checks pile up.
        if (Interlocked.Exchange(ref _checkingLeases, 1) == 1)
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow();
            var expired = _processes.Values.Where(component => component.ExpiresAt < now && !component.IsStopping).ToList();
            foreach (var component in expired)
            {
                LogLeaseExpired(_logger, component.ContainerId, component.LeaseId, component.Holder, component.ExpiresAt);
            }

            await Task.WhenAll(expired.Select(component => RemoveAsync(component.ContainerId, CancellationToken.None)));
        }
        catch (Exception exception)
        {
            LogLeaseCheckFailed(_logger, exception);
        }
        finally
        {
            Volatile.Write(ref _checkingLeases, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started component {Component} revision {Revision} for step {Flow}/{Step} as {ContainerId} on {Endpoint}, leased to {Holder}")]
    private static partial void LogStarted(ILogger logger, string component, int revision, string flow, string step, string containerId, Uri endpoint, string holder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped component process {ContainerId} (was leased to {Holder})")]
    private static partial void LogStopped(ILogger logger, string containerId, string holder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {LeaseId} on {ContainerId} held by {Holder} expired at {ExpiresAt} without renewal: stopping the process")]
    private static partial void LogLeaseExpired(ILogger logger, string containerId, string leaseId, string holder, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Checking component process leases failed; the next check retries")]
    private static partial void LogLeaseCheckFailed(ILogger logger, Exception exception);
}
