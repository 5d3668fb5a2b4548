using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FlowActors.Tests.Components;

/// <summary>Keeps what is logged, with the innermost scope's state, so tests can read it.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    private static readonly AsyncLocal<object?> Scope = new();

    public ConcurrentQueue<(LogLevel Level, string Message, object? Scope)> Entries { get; } = new();

    public IDisposable BeginScope<TState>(TState state)
        where TState : notnull
    {
        var outer = Scope.Value;
        Scope.Value = state;
        return new Restore(outer);
    }

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception), Scope.Value));

    private sealed class Restore(object? outer) : IDisposable
    {
        public void Dispose() => Scope.Value = outer;
    }
}
