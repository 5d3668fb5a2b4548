using FlowActors.Silo.Telemetry;

namespace FlowActors.Silo.Api;

/// <summary>
/// The console's charts, read from the silo's metrics (<see cref="MetricsWindow"/>): <c>/api/overview/charts</c> (a
/// throughput sparkline per flow) and <c>/api/overview/flows/{flowId}/charts</c> (latency, throughput and errors of the
/// flow and each step, last 15 minutes).
/// </summary>
public static class ChartEndpoints
{
    public static RouteGroupBuilder MapChartEndpoints(this RouteGroupBuilder api)
    {
        var overview = api.MapGroup("/overview").WithTags("Console");
        overview.MapGet("/charts", (IServiceProvider services) =>
                services.GetService<MetricsWindow>() is { } window
                    ? Results.Ok(new Sparklines(true, (int)window.BucketWidth.TotalSeconds, window.End, window.Throughput()))
                    : Results.Ok(new Sparklines(false, 0, DateTimeOffset.UtcNow, new Dictionary<string, long[]>())))
            .Produces<Sparklines>()
            .WithSummary("Messages each flow accepted per bucket (15 s by default) over the last 60 buckets, oldest first, as this silo measured them.");
        overview.MapGet("/flows/{flowId}/charts", async (string flowId, IServiceProvider services, Client.IFlowActorsClient client, CancellationToken ct) =>
            {
                if (await FlowEndpoints.ExistingAsync(flowId, client, ct) is null)
                {
                    return ApiProblems.FlowNotFound(flowId);
                }

                if (services.GetService<MetricsWindow>() is not { } window)
                {
                    return Results.Ok(new FlowCharts(false, flowId, 0, DateTimeOffset.UtcNow, null, []));
                }

                var (flow, steps) = window.Read(flowId);
                return Results.Ok(new FlowCharts(true, flowId, (int)window.BucketWidth.TotalSeconds, window.End, flow, steps));
            })
            .Produces<FlowCharts>()
            .WithSummary("The flow's and each step's latency (p50, p99), throughput and errors over the last 60 buckets (15 minutes by default).");
        return api;
    }

    /// <param name="Enabled">False when the silo keeps no metrics for the console (FlowActors:Telemetry:ConsoleMetrics=false).</param>
    /// <param name="End">Start of the newest bucket.</param>
    /// <param name="Flows">Per flow, messages accepted per bucket, oldest first.</param>
    public sealed record Sparklines(bool Enabled, int BucketSeconds, DateTimeOffset End, IReadOnlyDictionary<string, long[]> Flows);

    /// <param name="Flow">The flow's own series: messages accepted, executions timed and failed.</param>
    /// <param name="Steps">Each step that processed messages in the window.</param>
    public sealed record FlowCharts(bool Enabled, string FlowId, int BucketSeconds, DateTimeOffset End, ChartSeries? Flow, IReadOnlyList<ChartSeries> Steps);
}
