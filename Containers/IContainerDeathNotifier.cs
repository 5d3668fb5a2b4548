namespace FlowActors.Containers;

/// <summary>
/// Implemented by runtimes that learn of a container's death without being polled (Docker's event stream).
/// A step grain subscribes to replace its container and retry the in-flight message; it must still call
/// <see cref="IContainerRuntime.IsRunningAsync"/> when a call fails, since events can be missed while the
/// runtime reconnects to the engine.
/// </summary>
public interface IContainerDeathNotifier
{
    /// <summary>Raised on a thread-pool thread; handlers must not block.</summary>
    event EventHandler<ContainerDiedEventArgs>? ContainerDied;
}
