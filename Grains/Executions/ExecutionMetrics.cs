using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Telemetry;

namespace FlowActors.Grains.Executions;

/// <summary>
/// Records an execution's step and end-to-end metrics from the path its flow events carry: every event names each
/// step the execution went through, with its time. Until the steps record their own hops, this is where each
/// step's messages and latency are counted, once per execution: steps a fan-out's earlier events already reported
/// are skipped.
/// </summary>
internal static class ExecutionMetrics
{
    /// <param name="recorded">The steps earlier events of the same execution reported, or null for its first event.</param>
    public static void Record(FlowEvent e, IReadOnlyList<StepTiming>? recorded)
    {
        var path = e.Path ?? [];
        var total = TimeSpan.Zero;
        for (var i = 0; i < path.Count; i++)
        {
            var hop = path[i];
            total += hop.Elapsed;
            if (recorded?.Contains(hop) == true)
            {
                continue;
            }

            FlowMetrics.StepReceived(e.FlowId, hop.StepId);
            FlowMetrics.StepProcessed(e.FlowId, hop.StepId, hop.Elapsed);
            if (e.Kind == FlowEventKind.Error && i == path.Count - 1)
            {
                FlowMetrics.StepFailed(e.FlowId, hop.StepId);
            }
            else
            {
                FlowMetrics.StepSent(e.FlowId, hop.StepId);
            }
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
