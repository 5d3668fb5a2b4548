using FlowActors.Client;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;

namespace FlowActors.Grains.Steps;

/// <summary>
/// The streams a step publishes to: the next steps' inputs and the flow's events, and the flow's books (dead letters
/// and counters) through <paramref name="ledger"/>, which every <see cref="StepOutputs"/> passes on its way. Hops go
/// over the provider of the run's mode (<see cref="HopProvider"/>), events over the fast streams. Every publish is
/// tried <see cref="StepOptions.PublishAttempts"/> times (a fast-streams queue refuses enqueues while it is full)
/// before it fails with a <see cref="StepException"/> that names the step and the target.
/// </summary>
internal sealed class StepStreams(IServiceProvider services, string flowId, string stepId, int attempts, TimeProvider time, StepLedger? ledger = null)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);

    private IAsyncStream<FlowMessage>[] _next = [];
    private string[] _nextSteps = [];
    private long[] _nextCalls = [];
    private long _allNextCalls;

    private IAsyncStream<FlowEvent> Events { get; } =
        services.GetRequiredKeyedService<IStreamProvider>(FlowStreams.Provider).GetStream<FlowEvent>(FlowStreams.EventsOf(flowId));

    /// <summary>
    /// The stream provider that carries the hops of a run in <paramref name="mode"/>: the durable one for ordinary runs
    /// where the profile registers it (Azure), the fast one otherwise.
    /// </summary>
    public static IStreamProvider HopProvider(IServiceProvider services, FlowMode mode)
    {
        var durable = services.GetKeyedService<IStreamProvider>(FlowStreams.DurableProvider);
        return services.GetRequiredKeyedService<IStreamProvider>(FlowStreams.HopProvider(mode, durable is not null));
    }

    /// <summary>
    /// The step's own input on every provider that may carry it (the fast one, and the durable one where registered),
    /// which the step subscribes to at activation: it need not know which carries its flow's hops.
    /// </summary>
    public IEnumerable<IAsyncStream<FlowMessage>> Inputs()
    {
        var input = FlowStreams.StepInputOf(flowId, stepId);
        yield return services.GetRequiredKeyedService<IStreamProvider>(FlowStreams.Provider).GetStream<FlowMessage>(input);
        if (services.GetKeyedService<IStreamProvider>(FlowStreams.DurableProvider) is { } durable)
        {
            yield return durable.GetStream<FlowMessage>(input);
        }
    }

    /// <summary>Publishes to the plan's next steps, over the hop provider of the plan's mode, from now on.</summary>
    public void UseNext(StepPlan plan)
    {
        var hops = HopProvider(services, plan.Mode);
        _nextSteps = [.. plan.NextSteps];
        _next = [.. plan.NextSteps.Select(id => hops.GetStream<FlowMessage>(FlowStreams.StepInputOf(flowId, id)))];
        _nextCalls = [.. plan.NextSteps.Select((_, i) => (long)plan.CallsOfNextStep(i))];
        _allNextCalls = _nextCalls.Sum();
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
            await SendAsync(_next[i], ShareFor(i, outputs.Next, outputs.Targets), batched, $"step '{_nextSteps[i]}'");
        }
    }

    /// <summary>
    /// Records what the events do not say (dead letters, executions that ended silently, duplicates dropped) in the
    /// flow's books, then publishes the flow events (outputs of a last step, errors, HTTP replies). Every
    /// <see cref="StepOutputs"/> a step makes comes here, duplicate drops included, so this is the one place that records
    /// them: dead letters are stored before the error events announce them.
    /// </summary>
    /// <param name="notRecorded">
    /// Called when the books could not be written, and then the events go out all the same (a real-time step: nothing
    /// delivers its messages again); without it that failure throws, so that the delivery fails and comes again.
    /// </param>
    /// <exception cref="StepException">The events stream still refused after every attempt.</exception>
    public async Task PublishEventsAsync(StepOutputs outputs, bool batched, Action<Exception>? notRecorded = null)
    {
        if (ledger is not null)
        {
            try
            {
                await ledger.RecordAsync(outputs);
            }
            catch (Exception e) when (notRecorded is not null)
            {
                notRecorded(e);
            }
            catch (Exception e)
            {
                throw new StepException($"Step '{stepId}' could not record {outputs.DeadLetters.Count} dead letter(s) in the flow's books: {e.Message}", e);
            }
        }

        await SendAsync(Events, outputs.Events, batched, "the flow's events");
    }

    /// <summary>
    /// The messages for next step <paramref name="index"/>, each with that step's part of the message's budget: in
    /// proportion to what each next step causes at least, so none gets less than its own part needs. With
    /// <paramref name="targets"/> (a step whose edges have conditions), only the messages that take this step's edge.
    /// </summary>
    private List<FlowMessage> ShareFor(int index, List<FlowMessage> messages, IReadOnlyList<bool[]?>? targets)
    {
        if (targets is null && (_next.Length == 1 || messages.Count == 0))
        {
            return messages;
        }

        var share = new List<FlowMessage>(messages.Count);
        for (var k = 0; k < messages.Count; k++)
        {
            if (targets?[k] is { } takes && !takes[index])
            {
                continue;
            }

            var message = messages[k];
            share.Add(message.Budget is { } budget && _next.Length > 1 ? message with { Budget = (int)(budget * _nextCalls[index] / _allNextCalls) } : message);
        }

        return share;
    }

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

