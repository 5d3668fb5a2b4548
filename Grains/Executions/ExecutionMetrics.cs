using FlowActors.Client;
using FlowActors.Telemetry;

namespace FlowActors.Grains.Executions;

/// <summary>
/// Records an execution's end-to-end latency from the path its flow events carry: every event names each step the
/// execution went through, with its time there. The steps count their own hops (<c>Grains/Steps/Tracing/StepHopSpans</c>).
/// </summary>
internal static class ExecutionMetrics
{
    public static void Record(FlowEvent e)
    {
        var total = TimeSpan.Zero;
        foreach (var hop in e.Path ?? [])
        {
            total += hop.Elapsed;
        }

        // The time spent in steps along the path: the streams between them add little (microseconds on fast streams).
        FlowMetrics.ExecutionEnded(e.FlowId, Outcome(e.Kind), total);
    }

    private static string Outcome(FlowEventKind kind) => kind switch
    {
        FlowEventKind.Error => TelemetryNames.Outcomes.Error,
        FlowEventKind.HttpReply => TelemetryNames.Outcomes.Reply,
        _ => TelemetryNames.Outcomes.Output,
    };
}
