using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Messages;

/// <summary>Names of the Orleans streams that glue a flow together.</summary>
public static class FlowStreams
{
    /// <summary>The stream provider every flow stream lives in.</summary>
    public const string Provider = "flows";

    /// <summary>
    /// The durable stream provider (Azure Queue streams) that the Azure profile registers for ordinary flows, whose
    /// hops care more about surviving a silo than about milliseconds. Real-time hops and flow events stay on
    /// <see cref="Provider"/>. Not registered in the embedded profile, whose ordinary hops use <see cref="Provider"/>.
    /// </summary>
    public const string DurableProvider = "flows-durable";

    /// <summary>
    /// The provider that carries the hops (step inputs) of a flow run in <paramref name="mode"/>: ordinary hops go over
    /// <see cref="DurableProvider"/> where it is registered, everything else over <see cref="Provider"/>.
    /// </summary>
    public static string HopProvider(FlowMode mode, bool durableRegistered) =>
        mode == FlowMode.Ordinary && durableRegistered ? DurableProvider : Provider;

    /// <summary>Namespace of step inputs; the stream key is the step grain's key (<c>{flowId}/{stepId}</c>).</summary>
    public const string StepInput = "step-input";

    /// <summary>Namespace of flow events (outputs, errors, replies); the stream key is the flow id.</summary>
    public const string Events = "flow-events";

    /// <summary>The stream id of a step's input.</summary>
    public static StreamId StepInputOf(string flowId, string stepId) => StreamId.Create(StepInput, StepKey(flowId, stepId));

    /// <summary>The stream id of a flow's events.</summary>
    public static StreamId EventsOf(string flowId) => StreamId.Create(Events, flowId);

    /// <summary>The key of a step grain: flow ids and step ids never contain '/'.</summary>
    public static string StepKey(string flowId, string stepId) => $"{flowId}/{stepId}";
}
