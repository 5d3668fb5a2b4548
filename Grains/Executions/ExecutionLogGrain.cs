using FlowActors.Grains.Interfaces.Executions;
using FlowActors.Grains.Interfaces.Messages;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace FlowActors.Grains.Executions;

/// <summary>
/// Follows one flow's events (implicit subscription: the flow's first event activates it) and keeps its
/// recent executions in memory. Losing them with the activation is accepted: they are for looking at
/// what just happened, and persisting every event would cost a storage write per execution.
/// </summary>
[ImplicitStreamSubscription(FlowStreams.Events)]
public sealed class ExecutionLogGrain(IOptions<ExecutionLogOptions> options, TimeProvider time) : Grain, IExecutionLogGrain
{
    private readonly ExecutionLog _log = new(options.Value.Capacity, options.Value.MaxOutputBytes);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stream = this.GetStreamProvider(FlowStreams.Provider).GetStream<FlowEvent>(FlowStreams.EventsOf(this.GetPrimaryKeyString()));
        await stream.SubscribeAsync(OnEventAsync);
    }

    public Task<IReadOnlyList<ExecutionRecord>> GetRecentAsync(int limit) => Task.FromResult(_log.Recent(limit));

    public Task<ExecutionRecord?> GetAsync(string executionId) => Task.FromResult(_log.Find(executionId));

    private Task OnEventAsync(FlowEvent e, StreamSequenceToken? token)
    {
        ExecutionMetrics.Record(e);
        _log.Add(e, time.GetUtcNow());
        return Task.CompletedTask;
    }
}
