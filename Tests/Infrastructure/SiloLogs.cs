using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FlowActors.Tests.Infrastructure;

/// <summary>
/// What the silos of a test cluster logged from FlowActors' own categories (Debug and above), with the scopes each
/// entry was logged in, for tests that count log events or read their scopes.
/// </summary>
public sealed class SiloLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<SiloLogEntry> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<SiloLogEntry> Entries => [.. _entries];

    /// <summary>Entries whose message contains <paramref name="text"/>.</summary>
    public IReadOnlyList<SiloLogEntry> Find(string text) =>
        [.. _entries.Where(e => e.Message.Contains(text, StringComparison.Ordinal))];

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("FlowActors.", StringComparison.Ordinal) ? new Logger(this, categoryName) : NullLogger.Instance;

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(SiloLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => logs._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var scopes = new List<string>();
                logs._scopes.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? ""), scopes);
                logs._entries.Enqueue(new SiloLogEntry(category, logLevel, eventId.Id, formatter(state, exception), scopes));
            }
        }
    }

    private sealed class NullLogger : ILogger
    {
        public static readonly NullLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}

/// <summary>One log event of a silo, with the scopes it was logged in (outermost first).</summary>
public sealed record SiloLogEntry(string Category, LogLevel Level, int EventId, string Message, IReadOnlyList<string> Scopes);
