using FlowActors.Grains.Interfaces.Messages;
using Orleans.Streams;

namespace FlowActors.Grains.Steps;

/// <summary>
/// The streams a step publishes to: the next steps' inputs, the flow's events, and its own input (rebounds).
/// </summary>
internal sealed class StepStreams(IStreamProvider streams, string flowId, string stepId)
{
    private IAsyncStream<FlowMessage>[] _next = [];

    /// <summary>The step's own input.</summary>
    public IAsyncStream<FlowMessage> Self { get; } = streams.GetStream<FlowMessage>(FlowStreams.StepInputOf(flowId, stepId));

    private IAsyncStream<FlowEvent> Events { get; } = streams.GetStream<FlowEvent>(FlowStreams.EventsOf(flowId));

    /// <summary>Publishes to these next steps from now on.</summary>
    public void UseNext(IReadOnlyList<string> nextSteps) =>
        _next = [.. nextSteps.Select(id => streams.GetStream<FlowMessage>(FlowStreams.StepInputOf(flowId, id)))];

    /// <summary>
    /// Publishes each stream's share of <paramref name="outputs"/>. A real-time batch goes as one enqueue per
    /// stream; an ordinary step keeps one enqueue per message, as durable streams expect.
    /// </summary>
    public async Task PublishAsync(StepOutputs outputs, bool batched)
    {
        foreach (var stream in _next)
        {
            await SendAsync(stream, outputs.Next, batched);
        }

        await SendAsync(Events, outputs.Events, batched);
        await SendAsync(Self, outputs.Rebounds, batched);
    }

    private static async Task SendAsync<T>(IAsyncStream<T> stream, List<T> items, bool batched)
    {
        if (batched && items.Count > 1)
        {
            await stream.OnNextBatchAsync(items);
            return;
        }

        foreach (var item in items)
        {
            await stream.OnNextAsync(item);
        }
    }
}
