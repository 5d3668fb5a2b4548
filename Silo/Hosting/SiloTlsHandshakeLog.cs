using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace FlowActors.Silo.Hosting;

/// <summary>
/// Logs the TLS handshakes that fail on one of the silo's inbound ports at a bounded rate: the first at once, then at
/// most one line per <see cref="Interval"/> with how many more failed. Orleans' own TLS middleware logs each failure
/// with its stack trace (50 connections without a certificate wrote 350 lines), which would let anyone who reaches a
/// port fill the log; <see cref="SiloTls.UseClusterTls"/> turns its logger down to errors and lets this one speak.
/// </summary>
public sealed partial class SiloTlsHandshakeLog(string port, ILogger logger, TimeProvider time) : IDisposable
{
    /// <summary>Failures after the first are counted and logged together, at most once per this.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>The category of Orleans' TLS middleware, whose per-connection warnings this replaces.</summary>
    public const string OrleansTlsCategory = "Orleans.Connections.Security.TlsServerConnectionMiddleware";

    private readonly Lock _lock = new();
    private ITimer? _window;
    private long _more;
    private EndPoint? _last;

    /// <summary>Counts a connection whose handshake did not complete (refused, not TLS, or abandoned).</summary>
    public void Failed(EndPoint? remote)
    {
        lock (_lock)
        {
            if (_window is not null)
            {
                _more++;
                _last = remote;
                return;
            }

            _window = time.CreateTimer(_ => EndWindow(), null, Interval, Timeout.InfiniteTimeSpan);
        }

        LogFirst(logger, port, remote?.ToString() ?? "unknown", (int)Interval.TotalSeconds);
    }

    /// <summary>
    /// A connection middleware for the port, to run before Orleans' TLS middleware: a connection whose handshake never
    /// completed leaves no negotiated protocol behind.
    /// </summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Middleware() => next => async connection =>
    {
        try
        {
            await next(connection);
        }
        finally
        {
            if (connection.Features.Get<ITlsHandshakeFeature>() is not { Protocol: not SslProtocols.None })
            {
                Failed(connection.RemoteEndPoint);
            }
        }
    };

    public void Dispose()
    {
        lock (_lock)
        {
            _window?.Dispose();
            _window = null;
        }
    }

    private void EndWindow()
    {
        long more;
        EndPoint? last;
        lock (_lock)
        {
            (more, last) = (_more, _last);
            (_more, _last) = (0, null);
            _window?.Dispose();

            // A window with failures in it opens the next one, so that a steady stream gives one line per interval.
            _window = more > 0 ? time.CreateTimer(_ => EndWindow(), null, Interval, Timeout.InfiniteTimeSpan) : null;
        }

        if (more > 0)
        {
            LogMore(logger, more, port, (int)Interval.TotalSeconds, last?.ToString() ?? "unknown");
        }
    }

    [LoggerMessage(EventId = 4310, Level = LogLevel.Warning,
        Message = "A TLS handshake on the {Port} from {Remote} failed: no certificate, one the cluster's authority did not issue or without the key usage the port needs, or not TLS at all. Further failures are counted and logged once every {Seconds} s")]
    private static partial void LogFirst(ILogger logger, string port, string remote, int seconds);

    [LoggerMessage(EventId = 4311, Level = LogLevel.Warning, Message = "{Count} more TLS handshakes on the {Port} failed in the last {Seconds} s, the last from {Remote}")]
    private static partial void LogMore(ILogger logger, long count, string port, int seconds, string remote);
}
