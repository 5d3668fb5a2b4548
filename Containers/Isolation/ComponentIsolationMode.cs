namespace FlowActors.Containers.Isolation;

/// <summary>Whether components are shut off from the silo (<see cref="ComponentIsolationOptions.Mode"/>).</summary>
public enum ComponentIsolationMode
{
    /// <summary>Isolate what this silo can (it needs root or the capabilities); warn once at start about the rest.</summary>
    Auto,

    /// <summary>Isolate, or refuse to start the container runtime naming what is missing.</summary>
    Required,

    /// <summary>Components share the silo's network and user, as before isolation existed: for development only.</summary>
    Off,
}
