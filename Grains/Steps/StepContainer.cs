using FlowActors.Containers;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Containers;

namespace FlowActors.Grains.Steps;

/// <summary>
/// The container a step activation holds: start it, wait until it answers, keep its lease, replace it when
/// it dies, release it. One instance per activation; not thread-safe (the grain is single-threaded).
/// </summary>
internal sealed class StepContainer(IContainerRuntime runtime, StepOptions options, TimeProvider time)
{
    private ContainerRequest? _request;

    public ContainerLease? Lease { get; private set; }

    public ComponentRevision? Revision => _request?.Revision;

    /// <summary>Starts a container for <paramref name="request"/>; it may not be ready yet.</summary>
    public async Task StartAsync(ContainerRequest request, CancellationToken cancellationToken)
    {
        _request = request;
        Lease = await runtime.StartAsync(request, cancellationToken);
    }

    /// <summary>Waits until the component answers its health probe, or fails with a reason once it cannot.</summary>
    public async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var lease = Lease ?? throw new InvalidOperationException("No container was started.");
        var started = time.GetTimestamp();
        while (!await runtime.ProbeAsync(lease, cancellationToken))
        {
            if (!await runtime.IsRunningAsync(lease, cancellationToken))
            {
                throw new InvalidOperationException($"Container {lease.ContainerId} exited before it answered its health probe.");
            }

            if (time.GetElapsedTime(started) > options.StartTimeout)
            {
                throw new TimeoutException(
                    $"Container {lease.ContainerId} did not answer its health probe within {options.StartTimeout.TotalSeconds:0.#} s.");
            }

            await Task.Delay(options.ProbeInterval, time, cancellationToken);
        }
    }

    /// <summary>True when the container still answers: tells a dead container from a failed call.</summary>
    public Task<bool> IsHealthyAsync(CancellationToken cancellationToken) =>
        Lease is { } lease ? runtime.ProbeAsync(lease, cancellationToken) : Task.FromResult(false);

    /// <summary>Stops the current container and starts a fresh one of the same revision, ready to serve.</summary>
    public async Task ReplaceAsync(CancellationToken cancellationToken)
    {
        var request = _request ?? throw new InvalidOperationException("No container was started.");
        await ReleaseAsync();
        await StartAsync(request, cancellationToken);
        await WaitReadyAsync(cancellationToken);
    }

    /// <summary>Renews the lease once half of it has run out.</summary>
    public async Task RenewIfDueAsync(CancellationToken cancellationToken)
    {
        if (Lease is { } lease && lease.ExpiresAt - time.GetUtcNow() < options.LeaseDuration / 2)
        {
            Lease = await runtime.RenewAsync(lease, options.LeaseDuration, cancellationToken);
        }
    }

    /// <summary>Stops the container and ends the lease. Safe to call when nothing is held.</summary>
    public async Task ReleaseAsync()
    {
        if (Lease is { } lease)
        {
            Lease = null;
            await runtime.StopAsync(lease, CancellationToken.None);
        }
    }
}
