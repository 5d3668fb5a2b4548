using Microsoft.Extensions.Logging;

namespace FlowActors.Bench.Delivery;

/// <summary>
/// Counts the duplicates the silo's steps drop, from their log (event 1206), until the flow counters that read
/// StepOutputs.DuplicatesDropped can be asked instead.
/// </summary>
internal sealed class DuplicateLog : ILoggerProvider
{
    public const string Category = "FlowActors.Grains.Steps.StepGrain";

    private const int DuplicateDropped = 1206;

    private int _count;

    public int Count => Volatile.Read(ref _count);

    public ILogger CreateLogger(string categoryName) => new Counter(this);

    public void Dispose()
    {
    }

    private sealed class Counter(DuplicateLog owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == DuplicateDropped)
            {
                Interlocked.Increment(ref owner._count);
            }
        }
    }
}
