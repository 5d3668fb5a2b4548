using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Grains.Interfaces.Containers;

namespace FlowActors.Grains.Steps;

/// <summary>
/// The container a step holds: start it (or re-adopt one an earlier activation held), wait until it answers, keep its
/// lease, replace it when it dies, release it. Not thread-safe (the grain's scheduler runs one piece at a time), but
/// its awaits interleave: lease renewal runs beside a replacement, so every await re-checks which lease is current.
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

    /// <summary>
    /// Takes over a container an earlier activation of the step held, by renewing its lease. False when it is gone
    /// (stopped, reaped, or held on another silo's runtime): the caller starts a new one.
    /// </summary>
    public async Task<bool> TryAdoptAsync(ContainerLease lease, ContainerRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var renewed = await runtime.RenewAsync(lease, options.LeaseDuration, cancellationToken);
            _request = request;
            Lease = renewed;
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not held here any more. If it still runs somewhere, nobody renews it: stop it rather than wait for the reaper.
            await runtime.StopAsync(lease, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            return false;
        }
    }

    /// <summary>Waits until the component answers its health probe, or fails with a reason once it cannot (or not <paramref name="within"/>).</summary>
    public async Task WaitReadyAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        var lease = Lease ?? throw new InvalidOperationException("No container was started.");
        var started = time.GetTimestamp();
        while (!await runtime.ProbeAsync(lease, cancellationToken))
        {
            if (!await runtime.IsRunningAsync(lease, cancellationToken))
            {
                // Certain: it would exit the same way again. Its exit code and last stderr lines say why.
                throw ComponentStartException.Exited(lease.ContainerId, await runtime.GetExitAsync(lease, cancellationToken));
            }

            if (time.GetElapsedTime(started) > within)
            {
                throw new TimeoutException(
                    $"Container {lease.ContainerId} did not answer its health probe within {within.TotalSeconds:0.#} s.");
            }

            await Task.Delay(options.ProbeInterval, time, cancellationToken);
        }
    }

    /// <summary>True when the container still answers: tells a dead container from a failed call.</summary>
    public Task<bool> IsHealthyAsync(CancellationToken cancellationToken) =>
        Lease is { } lease ? runtime.ProbeAsync(lease, cancellationToken) : Task.FromResult(false);

    /// <summary>True while the container's process runs (no HTTP call).</summary>
    public Task<bool> IsRunningAsync(CancellationToken cancellationToken) =>
        Lease is { } lease ? runtime.IsRunningAsync(lease, cancellationToken) : Task.FromResult(false);

    /// <summary>Stops the current container and starts a fresh one of the same revision, ready to serve <paramref name="within"/>.</summary>
    public async Task ReplaceAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        var request = _request ?? throw new InvalidOperationException("No container was started.");
        await ReleaseAsync();
        await StartAsync(request, cancellationToken);
        await WaitReadyAsync(within, cancellationToken);
    }

    /// <summary>
    /// Renews the lease once half of it has run out. Throws when the runtime no longer holds it (the container is gone):
    /// the caller replaces it.
    /// </summary>
    public async Task RenewIfDueAsync(CancellationToken cancellationToken)
    {
        if (Lease is not { } lease || lease.ExpiresAt - time.GetUtcNow() >= options.LeaseDuration / 2)
        {
            return;
        }

        var renewed = await runtime.RenewAsync(lease, options.LeaseDuration, cancellationToken);

        // A replacement or a release may have run meanwhile: only the lease that was renewed is updated.
        if (Lease?.LeaseId == renewed.LeaseId)
        {
            Lease = renewed;
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

    /// <summary>Forgets the container without stopping it: a real-time step's activation ends, its container serves on.</summary>
    public void Detach() => Lease = null;
}
