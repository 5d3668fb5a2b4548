namespace FlowActors.Client;

/// <summary>
/// How the SDK waits for its grain calls: cancellation ends the wait (grain calls take no token), and a call that met a
/// departed silo surfaces as the retryable <see cref="ClusterUnavailableException"/> rather than as Orleans' own.
/// </summary>
internal static class ClusterCalls
{
    public static async Task WaitOrUnavailableAsync(this Task call, CancellationToken cancellationToken)
    {
        try
        {
            await call.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (ClusterUnavailableException.IsSettling(e))
        {
            throw ClusterUnavailableException.From(e);
        }
    }

    public static async Task<T> WaitOrUnavailableAsync<T>(this Task<T> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (ClusterUnavailableException.IsSettling(e))
        {
            throw ClusterUnavailableException.From(e);
        }
    }
}
