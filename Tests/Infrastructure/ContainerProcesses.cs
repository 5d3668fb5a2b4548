using System.Diagnostics;
using FlowActors.Containers;

namespace FlowActors.Tests.Infrastructure;

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
                Assert.Fail($"Process {pid} was still running {timeout.TotalSeconds:0.#} s later.");
            }
        }
    }
}
