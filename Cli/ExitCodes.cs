namespace FlowActors.Cli;

/// <summary>What the process's exit code tells a script (docs/cli.md lists them).</summary>
public static class ExitCodes
{
    /// <summary>Done (apply: whether or not anything changed).</summary>
    public const int Ok = 0;

    /// <summary>The operation failed: the API refused it, an execution failed, a flow failed to start.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: unknown command or option, a missing argument, a message that is not JSON.</summary>
    public const int Usage = 2;

    /// <summary>A component or flow file is invalid: the message names the file and the field.</summary>
    public const int InvalidFiles = 3;

    /// <summary>No such flow, component or execution.</summary>
    public const int NotFound = 4;

    /// <summary>The silo could not be reached, or refused the API key.</summary>
    public const int Unreachable = 5;

    /// <summary>A wait ran out: no reply in time, a flow that did not reach Running in time.</summary>
    public const int TimedOut = 6;
}

/// <summary>A failure to report and the exit code it ends the process with.</summary>
public sealed class CliException(int exitCode, string message, IReadOnlyList<string>? details = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>One line each: the fields of a refused file, say.</summary>
    public IReadOnlyList<string> Details { get; } = details ?? [];
}
