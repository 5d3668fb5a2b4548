namespace FlowActors.Containers.Output;

/// <summary>
/// A component's stdout and stderr on their way to the silo's log, bounded whatever the component writes: lines cut at
/// a length (<see cref="OutputLineSplitter"/>), control characters escaped (<see cref="LogText"/>), and at most so many
/// lines a minute per component; the lines over that are counted and reported as one "suppressed" note when the minute
/// is over (and when the output ends). The silo keeps no more than a line per stream and the last few lines of
/// stderr, which say why a component that exits at start failed (<see cref="LastErrorLines"/>). Both runtimes feed it.
/// Thread-safe: the two streams of a process are read side by side.
/// </summary>
public sealed class ComponentOutput
{
    /// <summary>The most bytes handed over at once.</summary>
    public const int ChunkSize = 8192;

    /// <summary>How many of the last stderr lines are kept to describe a failed start.</summary>
    public const int KeptErrorLines = 10;

    /// <summary>The longest kept stderr line: a start failure's description stays small wherever it is stored.</summary>
    public const int KeptErrorLineLength = 300;

    private readonly ComponentOutputLimits _limits;
    private readonly TimeProvider _time;
    private readonly Action<string, bool> _line;
    private readonly Action<long> _suppressedNote;
    private readonly Lock _gate = new();
    private readonly OutputLineSplitter _stdout;
    private readonly OutputLineSplitter _stderr;
    private readonly Queue<string> _lastErrors = new();
    private readonly Action<string> _stdoutLine;
    private readonly Action<string> _stderrLine;
    private DateTimeOffset _windowStart;
    private int _used;
    private long _suppressed;

    /// <param name="limits">How long a line and how many lines a minute.</param>
    /// <param name="time">The clock of the per-minute budget.</param>
    /// <param name="line">Writes one line that passed the bounds to the log (true for stderr).</param>
    /// <param name="suppressed">Writes the note for lines that did not.</param>
    public ComponentOutput(ComponentOutputLimits limits, TimeProvider time, Action<string, bool> line, Action<long> suppressed)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(time);
        _limits = limits;
        _time = time;
        _line = line;
        _suppressedNote = suppressed;
        _stdout = new OutputLineSplitter(limits.MaxLineLength);
        _stderr = new OutputLineSplitter(limits.MaxLineLength);
        _stdoutLine = text => Emit(text, isError: false);
        _stderrLine = text => Emit(text, isError: true);
        _windowStart = time.GetUtcNow();
    }

    /// <summary>The last lines of stderr (escaped, cut shorter), oldest first, whether or not they reached the log.</summary>
    public IReadOnlyList<string> LastErrorLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lastErrors];
            }
        }
    }

    /// <summary>Reads <paramref name="stream"/> to its end; an I/O error or cancellation ends it quietly (the process is gone).</summary>
    public async Task ReadAsync(Stream stream, bool isError, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[ChunkSize];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                Append(buffer.AsSpan(0, read), isError);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }

        End(isError);
    }

    /// <summary>Adds what a stream produced (at most <see cref="ChunkSize"/> bytes).</summary>
    public void Append(ReadOnlySpan<byte> bytes, bool isError)
    {
        lock (_gate)
        {
            if (isError)
            {
                _stderr.Append(bytes, _stderrLine);
            }
            else
            {
                _stdout.Append(bytes, _stdoutLine);
            }
        }
    }

    /// <summary>A stream ended: its unfinished line goes out, and the note of what was suppressed so far.</summary>
    public void End(bool isError)
    {
        lock (_gate)
        {
            if ((isError ? _stderr : _stdout).Flush() is { } last)
            {
                Emit(last, isError);
            }

            ReportSuppressed();
        }
    }

    private void Emit(string text, bool isError)
    {
        if (isError)
        {
            _lastErrors.Enqueue(text.Length > KeptErrorLineLength ? $"{text.AsSpan(0, KeptErrorLineLength)}…" : text);
            if (_lastErrors.Count > KeptErrorLines)
            {
                _lastErrors.Dequeue();
            }
        }

        var now = _time.GetUtcNow();
        if (now - _windowStart >= TimeSpan.FromMinutes(1))
        {
            ReportSuppressed();
            _windowStart = now;
            _used = 0;
        }

        if (_used >= _limits.LinesPerMinute)
        {
            _suppressed++;
            return;
        }

        _used++;
        _line(text, isError);
    }

    private void ReportSuppressed()
    {
        if (_suppressed > 0)
        {
            _suppressedNote(_suppressed);
            _suppressed = 0;
        }
    }
}

/// <summary>The bounds of <see cref="ComponentOutput"/>: each runtime's options give them.</summary>
/// <param name="MaxLineLength">Characters kept of a line; the rest is counted.</param>
/// <param name="LinesPerMinute">Lines a component may log per minute; the rest are counted and reported.</param>
public sealed record ComponentOutputLimits(int MaxLineLength, int LinesPerMinute);
