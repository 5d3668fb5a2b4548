using System.Diagnostics;
using System.Globalization;
using FlowActors.Containers.Isolation;

namespace FlowActors.Containers.Processes;

/// <summary>
/// How a component process is launched so that it dies with its silo, ignores its silo's terminal, runs only as its own
/// user, and <c>ps</c> tells whose it is:
/// <c>setpriv [--reuid U --regid G --clear-groups --no-new-privs] --pdeathsig KILL -- setsid bash --posix -c SCRIPT NAME
/// EXECUTABLE ARGS…</c>, started with an <em>empty</em> environment. Every tool execs in place, so the process id is the
/// component's own.
/// <list type="bullet">
/// <item><b>Dies with the silo</b>: <c>setpriv --pdeathsig KILL</c> (util-linux) has the kernel send SIGKILL when the
/// silo dies, <c>kill -9</c> included (see <see cref="ComponentSpawner"/> for the thread it must be forked from).</item>
/// <item><b>As an unprivileged user</b> when the silo runs as root: <c>setpriv --reuid U --regid G --clear-groups
/// --no-new-privs</c>. The kernel clears a parent-death signal when a process changes its credentials; setpriv sets it
/// after the change (checked: a child started this way dies with its parent; one whose signal was set before the
/// change outlives it), and the exec that follows keeps it.</item>
/// <item><b>Nothing the deployment controls runs before the drop</b>: setpriv runs as root, so it gets no environment at
/// all (a revision's <c>LD_PRELOAD</c> would otherwise load code into it, as root). The component's environment (the
/// silo's allow-list, the revision's variables, the platform's) travels on standard input instead, NUL-separated: bash,
/// already the component's user, reads it, exports it and execs the component with <c>/dev/null</c> as its input.</item>
/// <item><b>Its own session</b>: <c>setsid</c> takes the component out of the silo's process group and terminal, so
/// Ctrl+C in the silo's terminal reaches the silo alone; the silo then stops its components itself.</item>
/// <item><b>Named for <c>ps</c></b>: argv[0] becomes <c>flowactors:{flow}/{step}:{executable}</c>. Only argv[0]
/// changes, and it still ends with <c>/</c> and the executable's file name, so multi-call binaries that dispatch on
/// argv[0]'s base name (busybox) run the same applet; the dotnet host, node, Go and Rust programs find themselves through
/// <c>/proc/self/exe</c>, not argv[0]. Arguments are untouched. A script's interpreter sees the script's path, not
/// argv[0], so a script shows in <c>ps</c> by its path (its environment still has <c>FLOWACTORS_FLOW</c> and
/// <c>FLOWACTORS_STEP</c>). <c>--posix</c> keeps bash from reading <c>BASH_ENV</c>.</item>
/// </list>
/// Any tool may be missing (setpriv outside Linux, bash on a minimal image): the launch goes on without it, and the
/// runtime warns once at start; without bash the environment is the process's own, so changing users needs bash too
/// (<see cref="ComponentIsolation"/>).
/// </summary>
internal sealed record ComponentLauncher(string? Setpriv, string? Bash, string? Setsid = null)
{
    /// <summary>The prefix of every component process's argv[0]: <c>pgrep -af flowactors:</c> lists them all.</summary>
    public const string NamePrefix = "flowactors:";

    // Reads NAME=VALUE entries up to each NUL, exports them, then becomes the component. A name bash cannot export ends
    // the launch (the deployment validator refuses such names first).
    private const string ExportAndExec =
        "while IFS= read -r -d '' variable; do export \"$variable\" || exit 125; done; exec -a \"$0\" \"$@\" </dev/null";

    private static readonly Lazy<ComponentLauncher> Detected = new(Detect);

    /// <summary>What this machine offers, found once per process on the silo's PATH.</summary>
    public static ComponentLauncher Current => Detected.Value;

    public bool DiesWithSilo => Setpriv is not null;

    public bool NamesProcesses => Bash is not null;

    /// <summary>True when the component's environment goes on its standard input (<see cref="EnvironmentBlock"/>) rather than to the first program of the launch.</summary>
    public bool PassesEnvironmentOnInput => Bash is not null;

    /// <summary>True when components run in a session of their own, out of reach of the silo's terminal.</summary>
    public bool SeparatesSession => Setsid is not null;

    /// <summary>argv[0] of a step's component process: <c>flowactors:orders/enrich:/usr/bin/dotnet</c>.</summary>
    public static string ProcessName(string flowId, string stepId, string executable) =>
        $"{NamePrefix}{Printable(flowId)}/{Printable(stepId)}:{executable}";

    /// <summary>
    /// Sets <paramref name="start"/>'s file name, arguments and environment to run <paramref name="executable"/> this way
    /// with <paramref name="environment"/>. Returns what to write to the process's standard input before closing it:
    /// the environment, when it travels there (<see cref="PassesEnvironmentOnInput"/>), else nothing.
    /// </summary>
    /// <param name="user">The user to run it as, or null for the silo's; needs <see cref="Setpriv"/> and <see cref="Bash"/>.</param>
    public byte[] Apply(
        ProcessStartInfo start, string executable, IEnumerable<string> arguments, string name, IReadOnlyDictionary<string, string> environment, ProcessUser? user = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(environment);
        var command = new List<string>();
        if (user is not null)
        {
            if (Bash is null)
            {
                throw new InvalidOperationException("Running a component as another user needs bash, which applies its environment after the change.");
            }

            command.AddRange([
                Setpriv ?? throw new InvalidOperationException("Running a component as another user needs setpriv (util-linux)."),
                .. UserArguments(user),
                "--no-new-privs",
                "--pdeathsig",
                "KILL",
                "--"]);
        }
        else if (Setpriv is not null)
        {
            command.AddRange([Setpriv, "--pdeathsig", "KILL", "--"]);
        }

        if (Setsid is not null)
        {
            command.Add(Setsid);
        }

        if (Bash is not null)
        {
            command.AddRange([Bash, "--posix", "-c", ExportAndExec, name]);
        }

        command.Add(executable);
        command.AddRange(arguments);
        start.FileName = command[0];
        start.ArgumentList.Clear();
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        if (PassesEnvironmentOnInput)
        {
            return EnvironmentBlock(environment);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return [];
    }

    /// <summary><c>NAME=VALUE</c> entries, each ended by a NUL, in UTF-8: what the launch script reads.</summary>
    public static byte[] EnvironmentBlock(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var text = new System.Text.StringBuilder();
        foreach (var (key, value) in environment)
        {
            text.Append(key).Append('=').Append(value).Append('\0');
        }

        return System.Text.Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>setpriv's arguments that make a process run as <paramref name="user"/> with no supplementary groups.</summary>
    public static IEnumerable<string> UserArguments(ProcessUser user) =>
    [
        "--reuid", user.UserId.ToString(CultureInfo.InvariantCulture),
        "--regid", user.GroupId.ToString(CultureInfo.InvariantCulture),
        "--clear-groups",
    ];

    /// <summary>
    /// The absolute path of <paramref name="command"/>: as given when rooted, from the silo's working directory when it
    /// holds a '/', else the first match on the silo's PATH; null when there is no executable file there. Resolved
    /// before the launch, since a missing command would otherwise surface only as the wrapper's exit code.
    /// </summary>
    public static string? FindExecutable(string command)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        if (OperatingSystem.IsWindows())
        {
            return command; // no wrapper there: Process.Start resolves it
        }

        if (command.Contains('/', StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(command);
            return IsExecutable(path) ? path : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, command))
            .FirstOrDefault(IsExecutable);
    }

    private static ComponentLauncher Detect()
    {
        if (OperatingSystem.IsWindows())
        {
            return new ComponentLauncher(null, null);
        }

        var setpriv = OperatingSystem.IsLinux() ? FindExecutable("setpriv") : null;
        return new ComponentLauncher(
            setpriv is not null && SupportsParentDeathSignal(setpriv) ? setpriv : null, FindExecutable("bash"), FindExecutable("setsid"));
    }

    /// <summary>util-linux added <c>--pdeathsig</c> in 2.33 (2018); an older setpriv would refuse every launch.</summary>
    private static bool SupportsParentDeathSignal(string setpriv)
    {
        try
        {
            using var help = Process.Start(new ProcessStartInfo(setpriv, "--help") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (help is null)
            {
                return false;
            }

            var errors = help.StandardError.ReadToEndAsync();
            var text = help.StandardOutput.ReadToEnd();
            help.WaitForExit();
            _ = errors.Result;
            return text.Contains("--pdeathsig", StringComparison.Ordinal);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path)
        && (OperatingSystem.IsWindows()
            || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    /// <summary>Flow and step ids are letters, digits, '-' and '_' already; anything else would blur the name in ps.</summary>
    private static string Printable(string id) =>
        string.Create(id.Length, id, (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = char.IsAsciiLetterOrDigit(source[i]) || source[i] is '-' or '_' or '.' ? source[i] : '_';
            }
        });
}
