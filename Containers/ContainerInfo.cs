namespace FlowActors.Containers;

/// <summary>A container as a runtime lists it.</summary>
/// <param name="Id">The runtime's id: a Docker container id, or <c>process-{pid}</c>.</param>
/// <param name="Running">False for a created or exited container that was not removed yet.</param>
public sealed record ContainerInfo(string Id, IReadOnlyDictionary<string, string> Labels, bool Running);
