namespace FlowActors.Containers;

/// <summary>Which <see cref="IContainerRuntime"/> a silo uses.</summary>
public enum ContainerRuntimeKind
{
    /// <summary>Docker when an engine answers <c>/_ping</c> within <see cref="ContainerRuntimeOptions.AutoPingTimeout"/>, else Process.</summary>
    Auto,

    /// <summary>Containers on a Docker engine: the production runtime.</summary>
    Docker,

    /// <summary>Child processes of the silo: the embedded default and the fast path for tests.</summary>
    Process,
}
