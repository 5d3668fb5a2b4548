using System.Diagnostics;
using FlowActors.Containers.Isolation;

namespace FlowActors.Containers.Processes;

/// <summary>
/// Checks, before a component process starts as an unprivileged user, that the user can reach its files: the
/// executable, and every argument that is an absolute path to an existing file or folder (a dll, a script), with each
/// folder above them. Asked of the kernel as that user (<c>setpriv … -- sh -c 'test …'</c>), so ACLs and mount options
/// count as they will for the component. A failure names the first path in the way and the command that fixes it,
/// rather than leaving the component to exit with an obscure loader error, and the component never runs as root instead.
/// </summary>
internal static class ComponentFileAccess
{
    // Each argument is "r:PATH" (readable) or "x:PATH" (searchable folder, executable file); the first that fails is printed.
    private const string Script = "for entry; do test \"-${entry%%:*}\" \"${entry#*:}\" || { printf '%s\\n' \"$entry\"; exit 3; }; done";
    private const int Blocked = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the path and the fix when <paramref name="user"/> cannot run the component.</summary>
    /// <param name="arguments">The arguments as the process gets them (relative launch paths resolved).</param>
    public static async Task CheckAsync(
        ContainerRequest request, string executable, IReadOnlyList<string> arguments, ProcessUser user, ComponentLauncher launcher, CancellationToken cancellationToken)
    {
        var shell = ComponentLauncher.FindExecutable("sh") ?? "/bin/sh";
        var start = new ProcessStartInfo(launcher.Setpriv ?? throw new InvalidOperationException("Checking a component's files as another user needs setpriv (util-linux)."))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[.. ComponentLauncher.UserArguments(user), "--", shell, "-c", Script, "sh", .. Entries(executable, arguments)])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        // Off the caller's thread (a step grain's scheduler): starting a process blocks for the fork and exec.
        using var check = await Task.Run(() => Process.Start(start), cancellationToken)
            ?? throw new InvalidOperationException("The operating system started no process.");
        var output = check.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = check.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            await check.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            check.Kill();
            throw new TimeoutException($"Checking that user {user} can read the files of component '{request.Revision.ComponentId}' took longer than {Timeout}.");
        }

        if (check.ExitCode == 0)
        {
            return;
        }

        var revision = request.Revision;
        var prefix = $"Component '{revision.ComponentId}' revision {revision.Revision} cannot start for step '{request.FlowId}/{request.StepId}': "
            + $"component processes run as user {user} ({ComponentIsolationOptions.SectionName}:ProcessUser), so that they cannot read the silo's files";
        if (check.ExitCode != Blocked || (await output).Trim() is not { Length: > 2 } blocked)
        {
            throw new InvalidOperationException($"{prefix}, and checking its files as that user failed (exit code {check.ExitCode}): {(await errors).Trim()}");
        }

        var path = blocked[2..];
        var folder = Directory.Exists(path);
        var (what, fix) = blocked[0] == 'x'
            ? folder ? ("cannot enter the folder", $"chmod o+x {path}") : ("cannot execute", $"chmod o+rx {path}")
            : folder ? ("cannot read the folder", $"chmod o+rx {path}") : ("cannot read", $"chmod o+r {path}");
        throw new ComponentStartException(
            $"{prefix}, and that user {what} {path}{Resolved(revision.Launch.Command, executable, path)}. Make the component's files readable by it "
            + $"(e.g. {fix}), install the component where that user can read it, or set ProcessUser to a user that can.");
    }

    /// <summary>
    /// Where a command given by name was found: the silo's PATH is not the component user's (root's pyenv shims or
    /// nvm under /root), so the file that user could not reach is named, not only the name that led to it.
    /// </summary>
    private static string Resolved(string? command, string executable, string blocked)
    {
        if (command is null || command.Contains('/', StringComparison.Ordinal) || command == DotnetHost.Command
            || !(executable == blocked || executable.StartsWith(blocked.TrimEnd('/') + "/", StringComparison.Ordinal)))
        {
            return "";
        }

        var system = ComponentLauncher.FindExecutable($"/usr/bin/{command}") is { } found && found != executable ? $", e.g. {found}" : "";
        return $" (its command '{command}' was found on the silo's PATH as {executable}; give the command as an absolute path the component's user can run{system})";
    }

    /// <summary>Every folder above each file first (from the root down), then the file: the first failure is the one in the way.</summary>
    private static IEnumerable<string> Entries(string executable, IEnumerable<string> arguments)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<(char Access, string Path)> Needed()
        {
            yield return ('x', executable);
            foreach (var argument in arguments)
            {
                if (Path.IsPathFullyQualified(argument) && (File.Exists(argument) || Directory.Exists(argument)))
                {
                    yield return ('r', argument);
                }
            }
        }

        foreach (var (access, path) in Needed())
        {
            foreach (var folder in Ancestors(path))
            {
                if (seen.Add($"x:{folder}"))
                {
                    yield return $"x:{folder}";
                }
            }

            if (seen.Add($"{access}:{path}"))
            {
                yield return $"{access}:{path}";
            }
        }
    }

    private static IEnumerable<string> Ancestors(string path)
    {
        var folders = new Stack<string>();
        for (var folder = Path.GetDirectoryName(path); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            folders.Push(folder);
        }

        return folders;
    }
}
