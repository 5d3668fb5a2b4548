using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace FlowActors.Containers.Docker;

/// <summary>
/// Copies a container's stdout and stderr into the silo's log, one entry per line, inside a flow/step scope.
/// Bounded twice: lines are cut at <see cref="DockerRuntimeOptions.LogLineMaxLength"/> and at most
/// <see cref="DockerRuntimeOptions.LogLinesPerMinute"/> lines a minute are forwarded; the rest are counted and reported.
/// </summary>
internal sealed partial class ContainerLogForwarder(DockerRuntimeOptions options, ILogger logger, TimeProvider time)
{
    public async Task ForwardAsync(IDockerClient client, string containerId, string flowId, string stepId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["FlowId"] = flowId,
            ["StepId"] = stepId,
            ["ContainerId"] = containerId[..Math.Min(12, containerId.Length)],
        });
        var budget = new LineBudget(options.LogLinesPerMinute, time);
        var stdout = new LineSplitter(options.LogLineMaxLength);
        var stderr = new LineSplitter(options.LogLineMaxLength);
        try
        {
            using var stream = await client.Containers.GetContainerLogsAsync(
                containerId,
                tty: false,
                new ContainerLogsParameters { Follow = true, ShowStdout = true, ShowStderr = true },
                cancellationToken);
            var buffer = new byte[8192];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
                if (read.EOF)
                {
                    break;
                }

                var isError = read.Target == MultiplexedStream.TargetStream.StandardError;
                foreach (var line in (isError ? stderr : stdout).Append(buffer.AsSpan(0, read.Count)))
                {
                    Emit(line, isError, budget);
                }
            }

            foreach (var line in stdout.Flush().Concat(stderr.Flush()))
            {
                Emit(line, isError: false, budget);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or DockerContainerNotFoundException or IOException)
        {
            // The container was stopped or removed: its log ends here.
        }

        if (budget.TakeSuppressed(final: true) is > 0 and var suppressed)
        {
            LogSuppressed(logger, suppressed);
        }
    }

    private void Emit(string line, bool isError, LineBudget budget)
    {
        if (budget.TakeSuppressed() is > 0 and var suppressed)
        {
            LogSuppressed(logger, suppressed);
        }

        if (!budget.TryTake())
        {
            return;
        }

        LogLine(logger, isError ? "stderr" : "stdout", line);
    }

    /// <summary>Splits UTF-8 chunks into lines; a line longer than the cap is cut and marked, its rest dropped.</summary>
    private sealed class LineSplitter(int maxLength)
    {
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        private readonly StringBuilder _line = new();
        private bool _cut;

        public List<string> Append(ReadOnlySpan<byte> bytes)
        {
            var lines = new List<string>();
            var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
            var count = _decoder.GetChars(bytes, chars, flush: false);
            foreach (var c in chars.AsSpan(0, count))
            {
                if (c == '\n')
                {
                    lines.Add(Take());
                }
                else if (c != '\r' && _line.Length < maxLength)
                {
                    _line.Append(c);
                }
                else if (c != '\r')
                {
                    _cut = true;
                }
            }

            return lines;
        }

        public IEnumerable<string> Flush() => _line.Length > 0 ? [Take()] : [];

        private string Take()
        {
            var text = _cut ? _line.Append(" …[cut]").ToString() : _line.ToString();
            _line.Clear();
            _cut = false;
            return text;
        }
    }

    /// <summary>A fixed one-minute window: simple, and enough to keep a chatty component from drowning the silo's log.</summary>
    private sealed class LineBudget(int perMinute, TimeProvider time)
    {
        private DateTimeOffset _windowStart = time.GetUtcNow();
        private int _used;
        private int _suppressed;
        private int _reportable;

        public bool TryTake()
        {
            var now = time.GetUtcNow();
            if (now - _windowStart >= TimeSpan.FromMinutes(1))
            {
                _windowStart = now;
                _used = 0;
                _reportable += _suppressed;
                _suppressed = 0;
            }

            if (_used < perMinute)
            {
                _used++;
                return true;
            }

            _suppressed++;
            return false;
        }

        /// <summary>Lines dropped in windows that are over (with <paramref name="final"/>, in the current one too), reported once.</summary>
        public int TakeSuppressed(bool final = false)
        {
            var count = _reportable + (final ? _suppressed : 0);
            _reportable = 0;
            _suppressed = final ? 0 : _suppressed;
            return count;
        }
    }

    // Information for both streams: components commonly log ordinary progress to stderr.
    [LoggerMessage(EventId = 2040, Level = LogLevel.Information, Message = "[{Stream}] {Line}")]
    private static partial void LogLine(ILogger logger, string stream, string line);

    [LoggerMessage(EventId = 2041, Level = LogLevel.Warning, Message = "Suppressed {Count} log lines of this container (over the per-minute cap)")]
    private static partial void LogSuppressed(ILogger logger, int count);
}
