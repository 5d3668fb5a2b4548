using Docker.DotNet;
using Docker.DotNet.Models;
using FlowActors.Containers.Output;
using Microsoft.Extensions.Logging;

namespace FlowActors.Containers.Docker;

/// <summary>
/// Copies a container's stdout and stderr into the silo's log, one entry per line, inside a flow/step scope, within the
/// bounds of <see cref="ComponentOutput"/>: lines cut at <see cref="DockerRuntimeOptions.LogLineMaxLength"/>, control
/// characters escaped, and at most <see cref="DockerRuntimeOptions.LogLinesPerMinute"/> lines a minute; the rest are
/// counted and reported. The engine hands over frames of at most the buffer's size, so nothing here grows with a line.
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
        var output = new ComponentOutput(
            new ComponentOutputLimits(options.LogLineMaxLength, options.LogLinesPerMinute),
            time,
            (line, isError) => LogLine(logger, isError ? "stderr" : "stdout", line),
            count => LogSuppressed(logger, count));
        try
        {
            using var stream = await client.Containers.GetContainerLogsAsync(
                containerId,
                tty: false,
                new ContainerLogsParameters { Follow = true, ShowStdout = true, ShowStderr = true },
                cancellationToken);
            var buffer = new byte[ComponentOutput.ChunkSize];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
                if (read.EOF)
                {
                    break;
                }

                output.Append(buffer.AsSpan(0, read.Count), read.Target == MultiplexedStream.TargetStream.StandardError);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or DockerContainerNotFoundException or IOException)
        {
            // The container was stopped or removed: its log ends here.
        }

        output.End(isError: false);
        output.End(isError: true);
    }

    /// <summary>The last lines a stopped container wrote to stderr, as <see cref="ComponentOutput.LastErrorLines"/> keeps them; reads at most 1 MiB.</summary>
    public static async Task<IReadOnlyList<string>> LastErrorLinesAsync(IDockerClient client, string containerId, CancellationToken cancellationToken)
    {
        var output = new ComponentOutput(new ComponentOutputLimits(ComponentOutput.KeptErrorLineLength, int.MaxValue), TimeProvider.System, (_, _) => { }, _ => { });
        try
        {
            using var stream = await client.Containers.GetContainerLogsAsync(
                containerId,
                tty: false,
                new ContainerLogsParameters { ShowStderr = true, Tail = ComponentOutput.KeptErrorLines.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                cancellationToken);
            var buffer = new byte[ComponentOutput.ChunkSize];
            for (var total = 0; total < 1024 * 1024;)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
                if (read.EOF)
                {
                    break;
                }

                output.Append(buffer.AsSpan(0, read.Count), isError: true);
                total += read.Count;
            }
        }
        catch (Exception e) when (e is DockerContainerNotFoundException or IOException)
        {
            // Removed meanwhile: no lines to show.
        }

        output.End(isError: true);
        return output.LastErrorLines;
    }

    // Information for both streams: components commonly log ordinary progress to stderr.
    [LoggerMessage(EventId = 2040, Level = LogLevel.Information, Message = "[{Stream}] {Line}")]
    private static partial void LogLine(ILogger logger, string stream, string line);

    [LoggerMessage(EventId = 2041, Level = LogLevel.Warning, Message = "Suppressed {Count} log lines of this container (over the per-minute cap)")]
    private static partial void LogSuppressed(ILogger logger, long count);
}
