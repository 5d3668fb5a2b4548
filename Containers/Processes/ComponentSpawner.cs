using System.Collections.Concurrent;
using System.Diagnostics;
using FlowActors.Containers.Isolation;

namespace FlowActors.Containers.Processes;

/// <summary>
/// Starts component processes from one dedicated thread that lives as long as the silo's process. Linux delivers a
/// parent-death signal (<c>setpriv --pdeathsig</c>, <c>PR_SET_PDEATHSIG</c>) when the <em>thread</em> that forked the
/// child exits, not the process: a thread-pool thread that forks a component and is later retired by the pool would
/// kill a healthy component of a live silo. This thread never exits, so the signal comes only when the silo dies.
/// <para>
/// It is also where a component gets a network namespace of its own: the thread moves into a new namespace (loopback
/// up), forks the component there, keeps a handle on the namespace for the silo's connections, and returns to the
/// silo's namespace. The namespace exists before the process does, so there is no moment in which the component runs
/// in the silo's network.
/// </para>
/// </summary>
internal static class ComponentSpawner
{
    private static readonly BlockingCollection<Request> Requests = [];
    private static readonly Lazy<Thread> Spawner = new(() =>
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "FlowActors component spawner" };
        thread.Start();
        return thread;
    });

    // Set when the thread could not return to the silo's namespace: nothing is started from it again, since it would
    // start in a component's namespace. Never seen; setns back to a namespace the thread just left does not fail.
    private static volatile Exception? s_lost;

    /// <summary>Starts <paramref name="start"/> on the spawner thread; throws what <see cref="Process.Start(ProcessStartInfo)"/> throws.</summary>
    /// <param name="ownNetwork">Start it in a network namespace of its own (only <c>lo</c>, up), returned with the process.</param>
    public static Task<(Process Process, NetworkNamespace? Network)> StartAsync(ProcessStartInfo start, bool ownNetwork)
    {
        _ = Spawner.Value;
        // Continuations must not run on the spawner thread: it only forks.
        var started = new TaskCompletionSource<(Process, NetworkNamespace?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add(new Request(start, ownNetwork, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var request in Requests.GetConsumingEnumerable())
        {
            if (s_lost is { } lost)
            {
                request.Started.SetException(new InvalidOperationException(
                    "The component spawner could not return to the silo's network namespace earlier and starts nothing any more; restart the silo.", lost));
                continue;
            }

            try
            {
                request.Started.SetResult(request.OwnNetwork ? StartIsolated(request.Start) : (Start(request.Start), null));
            }
            catch (Exception exception)
            {
                request.Started.SetException(exception);
            }
        }
    }

    private static (Process, NetworkNamespace?) StartIsolated(ProcessStartInfo start)
    {
        NetworkNamespace? network = null;
        try
        {
            try
            {
                network = NetworkNamespace.CreateAndEnter();
            }
            catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or IOException)
            {
                // Not a Win32Exception any more: the runtime reads those as a bad command.
                throw new InvalidOperationException($"Could not give the component a network namespace of its own: {exception.Message}", exception);
            }

            return (Start(start), network);
        }
        catch
        {
            network?.Dispose();
            throw;
        }
        finally
        {
            try
            {
                NetworkNamespace.Silo.Enter();
            }
            catch (Exception exception)
            {
                s_lost = exception;
            }
        }
    }

    private static Process Start(ProcessStartInfo start) =>
        Process.Start(start) ?? throw new InvalidOperationException("The operating system started no process.");

    private sealed record Request(ProcessStartInfo Start, bool OwnNetwork, TaskCompletionSource<(Process, NetworkNamespace?)> Started);
}
