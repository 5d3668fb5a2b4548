using System.Collections.Concurrent;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Streaming;

namespace FlowActors.Tests.Infrastructure;

/// <summary>
/// Fault injection, test project only: an incoming grain-call filter of the test silos that refuses chosen calls, so
/// failure paths can be driven on purpose while everything else stays real. It can make a fast-streams queue refuse
/// enqueues for a stream, as a full queue does (<see cref="FastStreamsOptions.MaxQueueLength"/>), make a step
/// unreachable for its flow's stop, lose a step's reports to its flow, and fail a flow's wake-up after a silo's death as a
/// call routed to the dead silo does.
/// </summary>
public sealed class CallFaults : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, int> _refusals = new(StringComparer.Ordinal);
    private int _refused;

    /// <summary>How many calls were refused so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Refuses the next <paramref name="times"/> enqueues on <paramref name="stream"/> (all of them by default).</summary>
    public void RefuseEnqueues(StreamId stream, int times = int.MaxValue) => _refusals[EnqueueKey(stream)] = times;

    public void AllowEnqueues(StreamId stream) => _refusals.TryRemove(EnqueueKey(stream), out _);

    /// <summary>Refuses the next <paramref name="times"/> calls of <see cref="IStepGrain.StopAsync"/> on the step.</summary>
    public void RefuseStops(string stepKey, int times = 1) => _refusals[StopKey(stepKey)] = times;

    /// <summary>Refuses every step report to <paramref name="flowId"/> (one-way calls: to the step, as if lost) until <see cref="AllowReports"/>.</summary>
    public void DropReports(string flowId) => _refusals[ReportKey(flowId)] = int.MaxValue;

    public void AllowReports(string flowId) => _refusals.TryRemove(ReportKey(flowId), out _);

    /// <summary>Refuses the next <paramref name="times"/> calls of <see cref="IFlowGrain.WakeAsync"/> on the flow.</summary>
    public void RefuseWakes(string flowId, int times) => _refusals[WakeKey(flowId)] = times;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var key = context switch
        {
            { Grain: IFlowGrain flow, InterfaceMethod.Name: nameof(IFlowGrain.ReportStepAsync) } => ReportKey(flow.GetPrimaryKeyString()),
            { Grain: IFlowGrain flow, InterfaceMethod.Name: nameof(IFlowGrain.WakeAsync) } => WakeKey(flow.GetPrimaryKeyString()),
            { Grain: FastStreamQueueGrain } when context.Request.GetArgument(0) is FastStreamMessage message => EnqueueKey(message.StreamId),
            { Grain: IStepGrain step, InterfaceMethod.Name: nameof(IStepGrain.StopAsync) } => StopKey(step.GetPrimaryKeyString()),
            _ => null,
        };
        if (key is not null && TakeRefusal(key))
        {
            Interlocked.Increment(ref _refused);
            throw new InvalidOperationException($"Refused {context.InterfaceMethod?.Name} ({key}): injected by the test.");
        }

        await context.Invoke();
    }

    private static string EnqueueKey(StreamId stream) => $"enqueue:{stream}";

    private static string StopKey(string stepKey) => $"stop:{stepKey}";

    private static string ReportKey(string flowId) => $"report:{flowId}";

    private static string WakeKey(string flowId) => $"wake:{flowId}";

    private bool TakeRefusal(string key)
    {
        while (_refusals.TryGetValue(key, out var left))
        {
            if (left <= 0)
            {
                return false;
            }

            if (left == int.MaxValue || _refusals.TryUpdate(key, left - 1, left))
            {
                return true;
            }
        }

        return false;
    }
}
