namespace FlowActors.Containers.Docker;

/// <summary>
/// Chooses the Engine API version to speak. Hard-wiring one breaks in both directions: an old engine refuses a newer
/// version than it knows, and new engines refuse versions below their minimum (Engine 29: 1.44).
/// </summary>
public static class DockerApiVersion
{
    /// <summary>
    /// min(client's newest, engine's newest), raised to the engine's minimum. Raising is safe for what the runtime
    /// sends (create/start/inspect/list/remove/logs/events have kept their shapes); newer fields are simply unused.
    /// </summary>
    public static Version Negotiate(Version clientMax, Version engineMax, Version? engineMin)
    {
        var chosen = clientMax < engineMax ? clientMax : engineMax;
        return engineMin is not null && chosen < engineMin ? engineMin : chosen;
    }

    /// <summary>Parses "1.41"; null for an empty or malformed value.</summary>
    public static Version? Parse(string? value) => Version.TryParse(value, out var version) ? version : null;
}
