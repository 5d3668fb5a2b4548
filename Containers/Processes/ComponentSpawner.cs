using System.Collections.Concurrent;
using System.Diagnostics;

namespace FlowActors.Containers.Processes;

/// <summary>
/// Starts component processes from one dedicated thread that lives as long as the silo's process. Linux delivers a
/// parent-death signal (<c>setpriv --pdeathsig</c>, <c>PR_SET_PDEATHSIG</c>) when the <em>thread</em> that forked the
/// child exits, not the process: a thread-pool thread that forks a component and is later retired by the pool would
/// kill a healthy component of a live silo. This thread never exits, so the signal comes only when the silo dies.
/// </summary>
internal static class ComponentSpawner
{
    private static readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> Requests = [];
    private static readonly Lazy<Thread> Spawner = new(() =>
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "FlowActors component spawner" };
        thread.Start();
        return thread;
    });

    /// <summary>Starts <paramref name="start"/> on the spawner thread; throws what <see cref="Process.Start(ProcessStartInfo)"/> throws.</summary>
    public static Task<Process> StartAsync(ProcessStartInfo start)
    {
        _ = Spawner.Value;
        // Continuations must not run on the spawner thread: it only forks.
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((start, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (start, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(start) ?? throw new InvalidOperationException("The operating system started no process."));
            }
            catch (Exception exception)
            {
                started.SetException(exception);
            }
        }
    }
}
