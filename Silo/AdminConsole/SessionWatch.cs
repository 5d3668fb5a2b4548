using FlowActors.Grains.Interfaces.Sessions;

namespace FlowActors.Silo.AdminConsole;

/// <summary>
/// Ends what a console session opened when the session ends. Every request a session authenticated (an event stream of
/// <c>/api/flows/{id}/events</c>, a wait for a flow's reply, a page) is aborted when the session is logged out, here at
/// once, on another silo within <see cref="CheckInterval"/>, or when it expires. Each interval it asks every session with
/// requests in progress whether it is still active: one grain call per session, not per request, and only while
/// sessions have requests in progress.
/// </summary>
public sealed partial class SessionWatch(IGrainFactory grains, TimeProvider time, ILogger<SessionWatch> logger) : BackgroundService
{
    /// <summary>How often sessions with requests in progress are checked: a logout elsewhere is seen within this (plus one grain call).</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(250);

    // Guarded by itself. A request is aborted under the lock, and leaves it under the lock when it ends, so a context is
    // never aborted after it was handed back to the server's pool for another request.
    private readonly Dictionary<string, Watched> _sessions = new(StringComparer.Ordinal);

    /// <summary>Ties the request to the session: it is aborted when the session ends, whatever it is doing.</summary>
    public void Bind(HttpContext context, string sessionId, DateTimeOffset expiresAt)
    {
        lock (_sessions)
        {
            if (!_sessions.TryGetValue(sessionId, out var watched))
            {
                _sessions[sessionId] = watched = new Watched(expiresAt);
            }

            watched.Requests.Add(context);
        }

        context.Response.RegisterForDispose(new Unbinding(this, sessionId, context));
    }

    /// <summary>The session was logged out on this silo by <paramref name="logout"/>: its other requests end now.</summary>
    public void Ended(string sessionId, HttpContext logout)
    {
        Unbind(sessionId, logout); // the logout itself still answers
        End(sessionId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                (string Id, DateTimeOffset Expires)[] watched;
                lock (_sessions)
                {
                    watched = [.. _sessions.Select(s => (s.Key, s.Value.Expires))];
                }

                if (watched.Length > 0)
                {
                    await Task.WhenAll(watched.Select(s => CheckAsync(s.Id, s.Expires)));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the silo is stopping
        }
    }

    private async Task CheckAsync(string sessionId, DateTimeOffset expires)
    {
        try
        {
            if (expires <= time.GetUtcNow() || !await grains.GetGrain<IAdminSessionGrain>(sessionId).IsActiveAsync())
            {
                End(sessionId);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The next tick asks again; a session that cannot be asked about is not ended on a guess.
            LogCheckFailed(logger, e);
        }
    }

    private void End(string sessionId)
    {
        int ended;
        lock (_sessions)
        {
            if (!_sessions.Remove(sessionId, out var watched))
            {
                return;
            }

            foreach (var request in watched.Requests)
            {
                request.Abort();
            }

            ended = watched.Requests.Count;
        }

        LogEnded(logger, ended);
    }

    private void Unbind(string sessionId, HttpContext context)
    {
        lock (_sessions)
        {
            if (_sessions.TryGetValue(sessionId, out var watched) && watched.Requests.Remove(context) && watched.Requests.Count == 0)
            {
                _sessions.Remove(sessionId);
            }
        }
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "A console session ended: {Requests} request(s) it authenticated were closed")]
    private static partial void LogEnded(ILogger logger, int requests);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Debug, Message = "Could not ask whether a console session is still active; asking again at the next check")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);

    private sealed class Watched(DateTimeOffset expires)
    {
        public DateTimeOffset Expires { get; } = expires;

        public List<HttpContext> Requests { get; } = [];
    }

    private sealed class Unbinding(SessionWatch watch, string sessionId, HttpContext context) : IDisposable
    {
        public void Dispose() => watch.Unbind(sessionId, context);
    }
}
