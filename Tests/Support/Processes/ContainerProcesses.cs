using System.Diagnostics;
using FlowActors.Containers;

namespace FlowActors.TestSupport.Processes;

/// <summary>Looks at the operating-system processes behind local-process containers (<c>process-{pid}</c>).</summary>
public static class ContainerProcesses
{
    public static int Pid(ContainerInfo container) => Pid(container.Id);

    public static int Pid(string containerId) =>
        int.Parse(containerId["process-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    public static bool IsAlive(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var state = stat.AsSpan(stat.LastIndexOf(')') + 1).TrimStart();
                return state.Length > 0 && state[0] is not ('Z' or 'X');
            }
            catch (IOException)
            {
                return false;
            }
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The living processes whose command line (argv, as <c>ps</c> shows it) contains <paramref name="text"/>.</summary>
    public static IReadOnlyList<(int Pid, string CommandLine)> WithCommandLineContaining(string text)
    {
        var found = new List<(int, string)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), System.Globalization.CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').TrimEnd();
                if (commandLine.Contains(text, StringComparison.Ordinal) && IsAlive(pid))
                {
                    found.Add((pid, commandLine));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // exited while listed
            }
        }

        return found;
    }

    /// <summary>The real user id of a living process (<c>Uid:</c> in <c>/proc/PID/status</c>), or null when it is gone.</summary>
    public static uint? UserId(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return line is null ? null : uint.Parse(line["Uid:".Length..].Trim().Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The command line (argv joined by spaces) of a living process, or null.</summary>
    public static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').TrimEnd();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Waits for every process to exit; fails naming those still alive after <paramref name="timeout"/>.</summary>
    public static async Task WaitForExitAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                await process.WaitForExitAsync(cts.Token);
            }
            catch (ArgumentException)
            {
                // already gone
            }
            catch (OperationCanceledException)
            {
                Check.Fail($"Process {pid} was still running {timeout.TotalSeconds:0.#} s later.");
            }
        }
    }
}
