using System.Diagnostics;
using System.Globalization;

namespace FlowActors.Bench.Flows;

/// <summary>
/// CPU time of this process (the silo) and, apart, of its child processes (the components the local-process runtime
/// started), read from <c>/proc</c> while they run: a child's time is only added to the parent's once it exits.
/// </summary>
internal readonly record struct ProcessCpu(TimeSpan Silo, TimeSpan Children)
{
    // USER_HZ: 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;

    public static ProcessCpu Now()
    {
        using var self = Process.GetCurrentProcess();
        return new ProcessCpu(self.TotalProcessorTime, ChildrenTime(Environment.ProcessId));
    }

    public static ProcessCpu operator -(ProcessCpu a, ProcessCpu b) => new(a.Silo - b.Silo, a.Children - b.Children);

    private static TimeSpan ChildrenTime(int parent)
    {
        if (!Directory.Exists("/proc"))
        {
            return TimeSpan.Zero;
        }

        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            try
            {
                // pid (comm) state ppid ... utime(14) stime(15): comm may hold spaces, so split after its ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
                {
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // exited meanwhile
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
