using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FlowActors.Telemetry;
using static FlowActors.Telemetry.TelemetryNames;

namespace FlowActors.Silo.Telemetry;

/// <summary>
/// The console's charts, read from the platform's own instruments (<see cref="FlowMetrics"/>) through a
/// <see cref="MeterListener"/>: per flow and per step, the last <see cref="Buckets"/> buckets (15 minutes at the default
/// 15 seconds each) of throughput, errors and latency. A flow's series counts the messages it accepted and times its executions; a step's counts and times
/// the messages it processed. What this silo measured: in a cluster, each silo charts its own share (the exporters
/// give the whole picture).
/// </summary>
public sealed partial class MetricsWindow : IHostedService, IDisposable
{
    public const int Buckets = 60;

    /// <summary>More series than this (flows × steps) are not charted: memory stays bounded whatever the flow ids.</summary>
    public const int MaxSeries = 5000;

    private readonly ConcurrentDictionary<(string Flow, string? Step), Series> _series = new();
    private readonly MeterListener _listener = new();
    private readonly TimeProvider _time;
    private readonly long _bucketMilliseconds;
    private readonly ILogger _logger;
    private int _full;

    public MetricsWindow(TelemetryOptions options, TimeProvider time, ILogger<MetricsWindow>? logger = null)
    {
        _time = time;
        _logger = logger ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        BucketWidth = options.ConsoleBucket;
        _bucketMilliseconds = (long)BucketWidth.TotalMilliseconds;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Source && KindOf(instrument.Name) is { } kind)
            {
                listener.EnableMeasurementEvents(instrument, kind);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => OnMeasurement((Kind)state!, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => OnMeasurement((Kind)state!, value, tags));
        _listener.Start();
    }

    private enum Kind
    {
        FlowReceived,
        ExecutionDuration,
        StepDuration,
        StepFailed,
    }

    public TimeSpan BucketWidth { get; }

    /// <summary>The current bucket's start: the right edge of every chart.</summary>
    public DateTimeOffset End => DateTimeOffset.FromUnixTimeMilliseconds(CurrentBucket() * _bucketMilliseconds);

    /// <summary>A flow's chart and its steps' (those that processed anything in the window), oldest bucket first.</summary>
    public (ChartSeries Flow, IReadOnlyList<ChartSeries> Steps) Read(string flowId)
    {
        var now = CurrentBucket();
        var flow = _series.TryGetValue((flowId, null), out var series) ? series.Read(null, now, _bucketMilliseconds) : ChartSeries.Empty(null, now, _bucketMilliseconds);
        var steps = _series
            .Where(pair => pair.Key.Flow == flowId && pair.Key.Step is not null)
            .Select(pair => pair.Value.Read(pair.Key.Step, now, _bucketMilliseconds))
            .Where(step => step.Count > 0 || step.Errors > 0)
            .OrderBy(step => step.StepId, StringComparer.Ordinal)
            .ToArray();
        return (flow, steps);
    }

    /// <summary>Messages each flow accepted per bucket, oldest first: the flows page's sparklines. Forgets series gone quiet.</summary>
    public IReadOnlyDictionary<string, long[]> Throughput()
    {
        var now = CurrentBucket();
        var result = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (key, series) in _series)
        {
            if (series.LastBucket <= now - Buckets)
            {
                _series.TryRemove(key, out _);
            }
            else if (key.Step is null)
            {
                result[key.Flow] = series.Counts(now);
            }
        }

        return result;
    }

    /// <summary>Nothing to do: the listener runs from construction, which hosting does at start.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();

    private static Kind? KindOf(string instrument) => instrument switch
    {
        Metrics.FlowMessagesReceived => Kind.FlowReceived,
        Metrics.ExecutionDuration => Kind.ExecutionDuration,
        Metrics.StepDuration => Kind.StepDuration,
        Metrics.StepMessagesFailed => Kind.StepFailed,
        _ => null,
    };

    private void OnMeasurement(Kind kind, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? flow = null, step = null, outcome = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case Attributes.FlowId:
                    flow = tag.Value as string;
                    break;
                case Attributes.StepId:
                    step = tag.Value as string;
                    break;
                case Attributes.Outcome:
                    outcome = tag.Value as string;
                    break;
            }
        }

        var perStep = kind is Kind.StepDuration or Kind.StepFailed;
        if (flow is null || (perStep && step is null) || SeriesOf(flow, perStep ? step : null) is not { } series)
        {
            return;
        }

        var bucket = CurrentBucket();
        switch (kind)
        {
            case Kind.FlowReceived:
                series.Add(bucket, count: (long)value, errors: 0, seconds: null);
                break;
            case Kind.ExecutionDuration:
                series.Add(bucket, count: 0, errors: outcome == Outcomes.Error ? 1 : 0, seconds: value);
                break;
            case Kind.StepDuration:
                series.Add(bucket, count: 1, errors: 0, seconds: value);
                break;
            case Kind.StepFailed:
                series.Add(bucket, count: 0, errors: (long)value, seconds: null);
                break;
        }
    }

    private Series? SeriesOf(string flow, string? step)
    {
        if (_series.TryGetValue((flow, step), out var series))
        {
            return series;
        }

        if (_series.Count >= MaxSeries)
        {
            if (Interlocked.Exchange(ref _full, 1) == 0)
            {
                LogFull(_logger, MaxSeries);
            }

            return null;
        }

        return _series.GetOrAdd((flow, step), static _ => new Series());
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning,
        Message = "The console's charts hold {MaxSeries} flow and step series, their limit: further flows and steps are not charted until some go quiet (the exporters still count them)")]
    private static partial void LogFull(ILogger logger, int maxSeries);

    private long CurrentBucket() => _time.GetUtcNow().ToUnixTimeMilliseconds() / _bucketMilliseconds;

    /// <summary>One flow's or step's ring of buckets. Measurements arrive from any thread: a lock per series.</summary>
    private sealed class Series
    {
        private readonly long[] _bucketOf = new long[Buckets];
        private readonly long[] _counts = new long[Buckets];
        private readonly long[] _errors = new long[Buckets];
        private readonly int[]?[] _latencies = new int[]?[Buckets];
        private readonly Lock _lock = new();

        public Series() => Array.Fill(_bucketOf, -1);

        public long LastBucket { get; private set; }

        public void Add(long bucket, long count, long errors, double? seconds)
        {
            lock (_lock)
            {
                var slot = (int)(bucket % Buckets);
                if (_bucketOf[slot] != bucket)
                {
                    if (_bucketOf[slot] > bucket)
                    {
                        return; // older than what the slot holds now
                    }

                    _bucketOf[slot] = bucket;
                    _counts[slot] = 0;
                    _errors[slot] = 0;
                    if (_latencies[slot] is { } stale)
                    {
                        Array.Clear(stale);
                    }
                }

                _counts[slot] += count;
                _errors[slot] += errors;
                if (seconds is { } value)
                {
                    (_latencies[slot] ??= new int[LatencyBuckets.Count])[LatencyBuckets.IndexOf(value)]++;
                }

                LastBucket = Math.Max(LastBucket, bucket);
            }
        }

        public long[] Counts(long now)
        {
            var counts = new long[Buckets];
            lock (_lock)
            {
                for (var i = 0; i < Buckets; i++)
                {
                    var bucket = now - Buckets + 1 + i;
                    var slot = (int)(bucket % Buckets);
                    counts[i] = _bucketOf[slot] == bucket ? _counts[slot] : 0;
                }
            }

            return counts;
        }

        public ChartSeries Read(string? stepId, long now, long bucketMilliseconds)
        {
            var points = new ChartPoint[Buckets];
            var all = new int[LatencyBuckets.Count];
            long count = 0, errors = 0;
            lock (_lock)
            {
                for (var i = 0; i < Buckets; i++)
                {
                    var bucket = now - Buckets + 1 + i;
                    var slot = (int)(bucket % Buckets);
                    var at = DateTimeOffset.FromUnixTimeMilliseconds(bucket * bucketMilliseconds);
                    if (_bucketOf[slot] != bucket)
                    {
                        points[i] = new ChartPoint(at, 0, 0, null, null);
                        continue;
                    }

                    var latencies = _latencies[slot];
                    points[i] = new ChartPoint(at, _counts[slot], _errors[slot], Milliseconds(latencies, 0.5), Milliseconds(latencies, 0.99));
                    count += _counts[slot];
                    errors += _errors[slot];
                    if (latencies is not null)
                    {
                        for (var b = 0; b < all.Length; b++)
                        {
                            all[b] += latencies[b];
                        }
                    }
                }
            }

            return new ChartSeries(stepId, count, errors, Milliseconds(all, 0.5), Milliseconds(all, 0.99), points);
        }

        private static double? Milliseconds(int[]? latencies, double quantile) =>
            latencies is null ? null : LatencyBuckets.Quantile(latencies, quantile) * 1000;
    }
}

/// <summary>One chart: a flow's (<paramref name="StepId"/> null) or a step's last 60 buckets, with totals over them.</summary>
/// <param name="Count">Messages the flow accepted, or the step processed.</param>
/// <param name="Errors">Executions that failed, or messages the step could not process.</param>
/// <param name="P50Ms">Median latency (execution for a flow, hop for a step) over the window, in milliseconds.</param>
public sealed record ChartSeries(string? StepId, long Count, long Errors, double? P50Ms, double? P99Ms, IReadOnlyList<ChartPoint> Points)
{
    public static ChartSeries Empty(string? stepId, long now, long bucketMilliseconds) => new(stepId, 0, 0, null, null,
        [.. Enumerable.Range(0, MetricsWindow.Buckets).Select(i => new ChartPoint(
            DateTimeOffset.FromUnixTimeMilliseconds((now - MetricsWindow.Buckets + 1 + i) * bucketMilliseconds), 0, 0, null, null))]);
}

/// <summary>One bucket of a chart, starting at <paramref name="At"/>; latencies are null when nothing was timed in it.</summary>
public sealed record ChartPoint(DateTimeOffset At, long Count, long Errors, double? P50Ms, double? P99Ms);
