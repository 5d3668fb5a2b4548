namespace FlowActors.Client;

/// <summary>
/// The call needed a silo that has left the cluster, or a connection to one that is being declared dead: the cluster is
/// settling after a silo's death (a few seconds: see docs/operations.md, "Failover"). Retryable: send the call again
/// after <see cref="RetryAfter"/>, as often as it takes; the grains of the dead silo activate on the survivors once the
/// membership has declared it dead. The HTTP API answers 503 with <c>Retry-After</c> for it.
/// </summary>
/// <remarks>
/// A send that fails so may have been accepted all the same, when the silo died after taking the message and before
/// answering; sending it again then makes a second execution. Nothing that was accepted is lost.
/// </remarks>
public sealed class ClusterUnavailableException(string message, Exception innerException) : Exception(message, innerException)
{
    /// <summary>How long to wait before calling again: the membership declares a silo dead within seconds.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>When to call again.</summary>
    public TimeSpan RetryAfter { get; } = DefaultRetryAfter;

    /// <summary>
    /// True when <paramref name="exception"/> (or one it wraps) says a silo the call needed is gone or unreachable:
    /// Orleans refused to deliver the call (<see cref="OrleansMessageRejectionException"/>, which
    /// <see cref="SiloUnavailableException"/> is), could not connect, or the gateway shed load.
    /// </summary>
    public static bool IsSettling(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException or GatewayTooBusyException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Wraps <paramref name="cause"/>, naming what was called.</summary>
    internal static ClusterUnavailableException From(Exception cause) => new(
        $"The cluster is settling after a silo left it, and the call could not reach a silo it needed ({cause.GetType().Name}). " +
        $"Call again in {DefaultRetryAfter.TotalSeconds:0} s.", cause);
}
