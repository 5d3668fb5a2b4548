using static FlowActors.Telemetry.TelemetryNames;

namespace FlowActors.Telemetry;

/// <summary>
/// The names and attributes a step's spans share, made once per step activation: a traced real-time step makes four
/// spans per message, and formatting their names per message showed up in what tracing costs.
/// </summary>
public sealed class StepSpanNames(string flowId, string stepId)
{
    private InvokeName? _invoke;

    public string FlowId { get; } = flowId;

    public string StepId { get; } = stepId;

    /// <summary><c>process {stepId}</c>.</summary>
    public string Process { get; } = $"{Spans.Process} {stepId}";

    /// <summary><c>wait {stepId}</c>.</summary>
    public string Wait { get; } = $"{Spans.Wait} {stepId}";

    /// <summary><c>publish {stepId}</c>.</summary>
    public string Publish { get; } = $"{Spans.Publish} {stepId}";

    /// <summary>The step's inbox as a messaging destination: <c>{flowId}/{stepId}</c>.</summary>
    public string Destination { get; } = $"{flowId}/{stepId}";

    /// <summary><c>invoke {action}</c>. A step's action changes only with its definition: the last one is kept.</summary>
    public string Invoke(string action)
    {
        var cached = _invoke;
        if (cached is null || !string.Equals(cached.Action, action, StringComparison.Ordinal))
        {
            _invoke = cached = new InvokeName(action, $"{Spans.Invoke} {action}");
        }

        return cached.Name;
    }

    private sealed record InvokeName(string Action, string Name);
}
