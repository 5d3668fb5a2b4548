namespace FlowActors.Containers;

/// <summary>How a container (or component process) ended, for telling an operator why it did not serve.</summary>
/// <param name="ExitCode">Its exit code, when the runtime knows it (a process killed by signal N exits with 128 + N).</param>
/// <param name="LastErrorLines">The last lines it wrote to stderr, oldest first, control characters escaped.</param>
public sealed record ContainerExit(int? ExitCode, IReadOnlyList<string> LastErrorLines);
