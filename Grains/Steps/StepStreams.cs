using FlowActors.Grains.Interfaces.Messages;
using Orleans.Streams;

namespace FlowActors.Grains.Steps;

/// <summary>
/// The streams a step publishes to: the next steps' inputs and the flow's events. Every
/// publish is tried <see cref="StepOptions.PublishAttempts"/> times (a fast-streams queue refuses enqueues while it is
/// full) before it fails with a <see cref="StepException"/> that names the step and the target.
/// </summary>
internal sealed class StepStreams(IStreamProvider streams, string flowId, string stepId, int attempts, TimeProvider time)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);

    private IAsyncStream<FlowMessage>[] _next = [];
    private string[] _nextSteps = [];

    /// <summary>The step's own input.</summary>
    public IAsyncStream<FlowMessage> Self { get; } = streams.GetStream<FlowMessage>(FlowStreams.StepInputOf(flowId, stepId));

    private IAsyncStream<FlowEvent> Events { get; } = streams.GetStream<FlowEvent>(FlowStreams.EventsOf(flowId));

    /// <summary>Publishes to these next steps from now on.</summary>
    public void UseNext(IReadOnlyList<string> nextSteps)
    {
        _nextSteps = [.. nextSteps];
        _next = [.. nextSteps.Select(id => streams.GetStream<FlowMessage>(FlowStreams.StepInputOf(flowId, id)))];
    }

    /// <summary>
    /// Hands the data on to every next step. A real-time batch goes as one
    /// enqueue per stream; an ordinary step keeps one enqueue per message, as durable streams expect.
    /// </summary>
    /// <exception cref="StepException">A stream still refused after every attempt; what came before it went out.</exception>
    public async Task PublishDataAsync(StepOutputs outputs, bool batched)
    {
        for (var i = 0; i < _next.Length; i++)
        {
            await SendAsync(_next[i], outputs.Next, batched, $"step '{_nextSteps[i]}'");
        }
    }

    /// <summary>Publishes the flow events (outputs of a last step, errors, HTTP replies).</summary>
    /// <exception cref="StepException">The events stream still refused after every attempt.</exception>
    public Task PublishEventsAsync(StepOutputs outputs, bool batched) => SendAsync(Events, outputs.Events, batched, "the flow's events");

    private async Task SendAsync<T>(IAsyncStream<T> stream, List<T> items, bool batched, string target)
    {
        if (items.Count == 0)
        {
            return;
        }

        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (batched && items.Count > 1)
                {
                    await stream.OnNextBatchAsync(items);
                }
                else
                {
                    // A retry after a partial failure sends every item again: duplicates are possible, losses are not.
                    foreach (var item in items)
                    {
                        await stream.OnNextAsync(item);
                    }
                }

                return;
            }
            catch (Exception) when (attempt < attempts)
            {
                await Task.Delay(delay, time);
                delay *= 4;
            }
            catch (Exception e)
            {
                throw new StepException(
                    $"Step '{stepId}' could not hand {items.Count} message(s) on to {target} after {attempts} attempt(s): {e.Message}", e);
            }
        }
    }
}

