namespace FlowActors.Containers;

/// <summary>
/// A component could not start, and trying again would fail the same way until someone changes the revision or its
/// files: its command is missing or not executable, its user cannot read its files, its environment is refused, its
/// image is not there, or it exited before it answered its health probe. Steps fail such a start at once rather than
/// retry it like a transient one (docs/delivery.md). The message names the component and says why, with the exit code
/// and last lines of stderr when it exited.
/// </summary>
[GenerateSerializer, Alias("FlowActors.ComponentStartException")]
public class ComponentStartException : Exception
{
    public ComponentStartException(string message)
        : base(message)
    {
    }

    public ComponentStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The failure of a container that ended before it answered its health probe, with how it ended.</summary>
    public static ComponentStartException Exited(string containerId, ContainerExit? exit)
    {
        ArgumentNullException.ThrowIfNull(containerId);
        var code = exit?.ExitCode is { } exitCode ? $" with code {exitCode}" : "";
        var lines = exit?.LastErrorLines ?? [];
        var output = exit is null
            ? ""
            : lines.Count == 0
                ? "; it wrote nothing to stderr."
                : $"; its last lines on stderr:\n{string.Join('\n', lines.Select(line => $"  {line}"))}";
        return new ComponentStartException($"Container {containerId} exited{code} before it answered its health probe{(output.Length == 0 ? "." : output)}");
    }
}
