using FlowActors.Grains.Interfaces.Containers;

namespace FlowActors.Containers;

/// <summary>
/// Runs integration components. Implementations: local processes (embedded default, fast tests) and
/// Docker (production). A started container is always held by a <see cref="ContainerLease"/>; whoever
/// holds the lease renews it and stops the container when done. Containers carry
/// <see cref="Leases.ContainerLabels"/> so that a reaper can find those that nobody holds any more.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>"Process" or "Docker": shown to operators.</summary>
    string Name { get; }

    /// <summary>
    /// Starts a container for the request's component revision and leases it to <see cref="ContainerRequest.Holder"/>.
    /// Returns as soon as the container runs; it may not answer its health probe yet (see <see cref="ProbeAsync"/>).
    /// </summary>
    Task<ContainerLease> StartAsync(ContainerRequest request, CancellationToken cancellationToken);

    /// <summary>True when the container runs and its component answers <c>GET /healthz</c> with 200.</summary>
    Task<bool> ProbeAsync(ContainerLease lease, CancellationToken cancellationToken);

    /// <summary>True while the container's process is alive (no HTTP call): tells a crashed container from a slow one.</summary>
    Task<bool> IsRunningAsync(ContainerLease lease, CancellationToken cancellationToken);

    /// <summary>
    /// How the container ended (exit code, last lines of stderr) once it no longer runs; null while it runs, or when the
    /// runtime no longer knows it. Tells an operator why a component that died at start never answered.
    /// </summary>
    Task<ContainerExit?> GetExitAsync(ContainerLease lease, CancellationToken cancellationToken);

    /// <summary>Extends the lease by <paramref name="duration"/> from now and returns the renewed lease.</summary>
    Task<ContainerLease> RenewAsync(ContainerLease lease, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Stops and removes the container and ends its lease. Idempotent: a gone container is not an error.</summary>
    Task StopAsync(ContainerLease lease, CancellationToken cancellationToken);

    /// <summary>Containers of this runtime whose labels include every pair in <paramref name="labels"/>.</summary>
    Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken);

    /// <summary>Stops and removes a container found by <see cref="ListAsync"/> (the reaper's tool). Idempotent.</summary>
    Task RemoveAsync(string containerId, CancellationToken cancellationToken);
}
