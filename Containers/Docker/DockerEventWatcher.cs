using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using FlowActors.Containers.Leases;
using Microsoft.Extensions.Logging;

namespace FlowActors.Containers.Docker;

/// <summary>
/// Follows the engine's event stream for this cluster's containers and reports each <c>die</c>. Reconnects with a
/// growing delay when the engine restarts; deaths during a gap are found by the holder's next
/// <see cref="IContainerRuntime.IsRunningAsync"/> or failed call.
/// </summary>
internal sealed partial class DockerEventWatcher(string clusterId, Action<string, int?> onDied, ILogger logger)
{
    public async Task RunAsync(Func<CancellationToken, Task<IDockerClient>> client, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var engine = await client(cancellationToken);
                var parameters = new ContainerEventsParameters
                {
                    Filters = new Dictionary<string, IDictionary<string, bool>>
                    {
                        ["type"] = new Dictionary<string, bool> { ["container"] = true },
                        ["event"] = new Dictionary<string, bool> { ["die"] = true },
                        ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Cluster}={clusterId}"] = true },
                    },
                };
                await engine.System.MonitorEventsAsync(parameters, new DeathReports(onDied), cancellationToken);
                delay = TimeSpan.FromMilliseconds(250);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogWatchFailed(logger, e, delay.TotalSeconds);
            }

            await Task.Delay(delay, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    /// <summary>Handles events on the reading thread, in order (<see cref="Progress{T}"/> would post them to the thread pool unordered).</summary>
    private sealed class DeathReports(Action<string, int?> onDied) : IProgress<Message>
    {
        public void Report(Message value)
        {
            var id = value.Actor?.ID ?? value.ID;
            if (string.IsNullOrEmpty(id))
            {
                return;
            }

            int? exitCode = value.Actor?.Attributes is { } attributes
                && attributes.TryGetValue("exitCode", out var text)
                && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : null;
            onDied(id, exitCode);
        }
    }

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Lost the Docker event stream; reconnecting in {Seconds} s. Container deaths in between are noticed by health checks only")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, double seconds);
}
