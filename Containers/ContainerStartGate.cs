namespace FlowActors.Containers;

/// <summary>
/// Whether the silo still starts containers. It closes when the silo begins to shut down (the first stage to stop), so
/// that nothing its grains do on the way out (a real-time step seeing its component end, an ordinary step taking one
/// more message) starts a component only for the shutdown to stop it again. The runtimes refuse starts once it is closed.
/// </summary>
public sealed class ContainerStartGate : ILifecycleParticipant<ISiloLifecycle>
{
    private volatile bool _closed;

    /// <summary>True once the silo shuts down.</summary>
    public bool IsClosed => _closed;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(ContainerStartGate), ServiceLifecycleStage.Active, _ => Task.CompletedTask, _ =>
        {
            Close();
            return Task.CompletedTask;
        });
    }

    /// <summary>Refuses every start from now on.</summary>
    public void Close() => _closed = true;

    /// <summary>Throws naming the step when the silo shuts down.</summary>
    public void ThrowIfClosed(ContainerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_closed)
        {
            throw new InvalidOperationException(
                $"No container is started for step '{request.FlowId}/{request.StepId}': this silo is shutting down. The step starts one where it runs next.");
        }
    }
}
