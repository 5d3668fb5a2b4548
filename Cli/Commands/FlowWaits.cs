using System.Text.Json;
using FlowActors.Cli.Api;

namespace FlowActors.Cli.Commands;

/// <summary>Waits for a flow's lifecycle over the API (a real-time flow warms up before it runs).</summary>
public static class FlowWaits
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The flow's status once it runs; exit 1 when it failed instead, exit 6 when the time ran out.</summary>
    public static async Task<JsonElement> UntilRunningAsync(ApiClient api, string flowId, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var poll = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var status = await api.GetAsync($"/api/flows/{flowId}", ct);
            switch (status.GetProperty("lifecycle").GetString())
            {
                case "Running":
                    return status;
                case "Failed":
                    throw new CliException(ExitCodes.Failed, $"Flow '{flowId}' failed to start: {status.GetProperty("error").GetString()}");
            }

            try
            {
                await Task.Delay(poll, deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.TimedOut,
                    $"Flow '{flowId}' is {status.GetProperty("lifecycle").GetString()}, not Running, after {timeout.TotalSeconds:0} s (--timeout changes the wait).");
            }

            poll = TimeSpan.FromMilliseconds(Math.Min(poll.TotalMilliseconds * 2, 250));
        }
    }
}
