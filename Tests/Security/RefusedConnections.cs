using Microsoft.Extensions.Logging;

namespace FlowActors.Tests.Security;

/// <summary>
/// Counts the connection attempts an Orleans client reports as failed (what its ConnectionManager logs), so a test can
/// await "the gateway turned the client away twice" instead of waiting out a timeout.
/// </summary>
internal sealed class RefusedConnections : ILoggerProvider
{
    private readonly TaskCompletionSource _enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _wanted;
    private int _count;

    public RefusedConnections(int wanted) => _wanted = wanted;

    public List<string> Reasons { get; } = [];

    /// <summary>Completes once <c>wanted</c> attempts failed; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public Task WaitAsync(TimeSpan timeout) => _enough.Task.WaitAsync(timeout);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Failed(Exception? exception)
    {
        lock (Reasons)
        {
            Reasons.Add(exception is null ? "(no exception)" : $"{exception.GetType().Name}: {exception.Message}");
        }

        if (Interlocked.Increment(ref _count) >= _wanted)
        {
            _enough.TrySetResult();
        }
    }

    private sealed class Logger(RefusedConnections owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (category == "Orleans.Runtime.Messaging.ConnectionManager" && formatter(state, exception).StartsWith("Connection attempt to endpoint", StringComparison.Ordinal))
            {
                owner.Failed(exception);
            }
        }
    }
}
