using System.Collections.Concurrent;

namespace FlowActors.Containers.Isolation;

/// <summary>
/// One dedicated thread per silo process that does short pieces of work inside other network namespaces (creating a
/// socket there, or trying whether namespaces can be made at all) and returns to the silo's namespace after each.
/// Network namespaces belong to threads, so this work never runs on a thread-pool thread, which would carry the
/// namespace on to whatever it runs next.
/// </summary>
internal static class NamespaceThread
{
    private static readonly BlockingCollection<Action> Work = [];
    private static readonly Lazy<Thread> Thread = new(() =>
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "FlowActors component namespaces" };
        thread.Start();
        return thread;
    });

    /// <summary>
    /// Runs <paramref name="work"/> on the thread and then returns the thread to the silo's namespace. Every piece of
    /// work enters the namespace it needs first, so a failed return would only keep that namespace alive; it is still
    /// reported to the caller (the result is disposed) rather than left unnoticed.
    /// </summary>
    public static Task<T> RunAsync<T>(Func<T> work)
    {
        _ = Thread.Value;
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Work.Add(() =>
        {
            Exception? failure = null;
            var result = default(T);
            try
            {
                result = work();
            }
            catch (Exception exception)
            {
                failure = exception;
            }

            try
            {
                NetworkNamespace.Silo.Enter();
            }
            catch (Exception exception)
            {
                (result as IDisposable)?.Dispose();
                failure ??= exception;
            }

            if (failure is null)
            {
                done.SetResult(result!);
            }
            else
            {
                done.SetException(failure);
            }
        });
        return done.Task;
    }

    private static void Run()
    {
        foreach (var work in Work.GetConsumingEnumerable())
        {
            work();
        }
    }
}
