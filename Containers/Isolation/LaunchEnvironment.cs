namespace FlowActors.Containers.Isolation;

/// <summary>
/// Which variables a revision's <c>launch.environment</c> may set. Names are portable shell names
/// (<c>[A-Za-z_][A-Za-z0-9_]*</c>, as POSIX defines them and as a shell can pass them on). Refused are the variables
/// whose purpose is to make a program load or run code it was not asked to run, whatever program reads them: a
/// deployment names its code in <c>command</c> and <c>arguments</c>, where an operator sees it, and a setting must not
/// turn into code in a process the deployment does not choose (as <c>LD_PRELOAD</c> did in the launcher, as root).
/// Refused on both runtimes, at deployment (the API answers 400 naming the variable) and again when a container starts,
/// for revisions stored before this list existed. docs/security.md lists them; keep it in step.
/// </summary>
public static class LaunchEnvironment
{
    private static readonly (string Name, bool Prefix, string Why)[] Refused =
    [
        ("LD_", true, "makes the dynamic loader load code into every program started with it"),
        ("GCONV_PATH", false, "makes the C library load conversion modules (code) from a folder of its choosing"),
        ("DOTNET_STARTUP_HOOKS", false, "makes .NET run a startup hook's code before the program's"),
        ("DOTNET_ADDITIONAL_DEPS", false, "makes .NET load assemblies the program did not ship"),
        ("CORECLR_", true, "makes .NET load a profiler (native code) into the program"),
        ("NODE_OPTIONS", false, "passes Node.js options such as --require, which run code before the program's"),
        ("PYTHONSTARTUP", false, "makes Python run a file's code"),
        ("PYTHONPATH", false, "puts folders before Python's own on its import path (a sitecustomize.py there runs at every start); a component's own modules sit beside its script"),
        ("PYTHONHOME", false, "replaces Python's standard library with another folder's"),
        ("PERL5OPT", false, "passes Perl options such as -M, which load modules before the program"),
        ("PERL5LIB", false, "puts folders before Perl's own on its module path"),
        ("PERLLIB", false, "puts folders before Perl's own on its module path"),
        ("RUBYOPT", false, "passes Ruby options such as -r, which load code before the program"),
        ("RUBYLIB", false, "puts folders before Ruby's own on its load path"),
        ("JAVA_TOOL_OPTIONS", false, "passes JVM options such as -javaagent, which run code before the program"),
        ("JDK_JAVA_OPTIONS", false, "passes JVM options such as -javaagent, which run code before the program"),
        ("_JAVA_OPTIONS", false, "passes JVM options such as -javaagent, which run code before the program"),
        ("BASH_", true, "is read by bash (BASH_ENV runs a file at start), which launches the component"),
        ("BASHOPTS", false, "changes how every bash started with it runs"),
        ("ENV", false, "makes a POSIX shell run a file at start"),
        ("SHELLOPTS", false, "changes how every bash started with it runs (xtrace with PS4 runs commands)"),
        ("PS4", false, "is expanded, commands included, by a shell that traces"),
        ("UID", false, "is read-only in the shell that launches the component"),
        ("EUID", false, "is read-only in the shell that launches the component"),
        ("PPID", false, "is read-only in the shell that launches the component"),
    ];

    /// <summary>The refused names and prefixes (a prefix ends with <c>_</c> or <c>*</c> in the text), for docs and messages.</summary>
    public static IReadOnlyList<string> RefusedNames { get; } = [.. Refused.Select(r => r.Prefix ? $"{r.Name}*" : r.Name)];

    /// <summary>Why <paramref name="name"/> may not be set by a revision, or null when it may.</summary>
    public static string? Refusal(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsPortableName(name))
        {
            return "is not a portable variable name: expected a letter or '_' first, then letters, digits or '_'";
        }

        foreach (var (refused, prefix, why) in Refused)
        {
            // Case-insensitive: no loader honours ld_preload, but a refusal that depends on case invites the question.
            if (prefix ? name.StartsWith(refused, StringComparison.OrdinalIgnoreCase) : name.Equals(refused, StringComparison.OrdinalIgnoreCase))
            {
                return $"{why}. Variables that inject code at start are refused ({string.Join(", ", RefusedNames)}): name the code in 'command' and 'arguments' instead (see docs/security.md)";
            }
        }

        return null;
    }

    /// <summary>Throws naming the first variable of <paramref name="environment"/> a revision may not set.</summary>
    /// <param name="what">Names the revision for the message.</param>
    public static void ThrowIfRefused(IReadOnlyDictionary<string, string> environment, string what)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var name in environment.Keys)
        {
            if (Refusal(name) is { } why)
            {
                throw new ComponentStartException($"{what} sets the environment variable {name}, which {why}. Deploy a revision without it.");
            }
        }
    }

    private static bool IsPortableName(string name) =>
        name.Length > 0
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.AsSpan(1).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") < 0;
}
