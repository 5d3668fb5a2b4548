using System.Diagnostics;
using FlowActors.Client;
using FlowActors.Grains.Interfaces.Steps;

namespace FlowActors.Grains.Steps;

/// <summary>
/// How a step runs its trigger for a schedule's tick: inside the flow's current run (joining it if need be), its
/// emits published like those of a message and the trigger's snapshot handed back to the schedule.
/// </summary>
public sealed partial class StepGrain
{
    public async Task<TriggerPollResult> PollAsync(TriggerPoll poll)
    {
        ArgumentNullException.ThrowIfNull(poll);
        var received = Stopwatch.GetTimestamp();
        var outputs = _step.NewOutputs();
        string? error = null;
        try
        {
            if ((_runner ?? await RunAsync(await AskFlowAsync())) is not { } runner || runner.Plan.RunId != poll.RunId)
            {
                error = $"Step '{StepId}' of flow '{FlowId}' is not in the schedule's run (the flow stopped or started again); the tick did not run.";
            }
            else
            {
                // The schedule keeps the trigger's snapshot; the step's own (that of its messages) is left alone.
                var verdict = outputs.Add(runner.Plan, poll.Message, await runner.InvokeTriggerAsync(poll.Message, poll.Snapshot), received);
                if (verdict.Poison is { } poison)
                {
                    // A tick is not tried again: an error (or poison) emit dead-letters it at once.
                    outputs.DeadLetter(poll.Message, poison, [new DeliveryAttempt(DateTimeOffset.UtcNow, poison, runner.Plan.PinnedRevision?.Revision)],
                        Stopwatch.GetElapsedTime(received), poison: true);
                }

                error = outputs.Events.FirstOrDefault(e => e.Kind == FlowEventKind.Error)?.Error;
            }
        }
        catch (Exception e)
        {
            error = e.Message;
            outputs = _step.NewOutputs();
        }

        if (error is not null && !outputs.Events.Any(e => e.Kind == FlowEventKind.Error))
        {
            outputs.Fail(poll.Message, error, Stopwatch.GetElapsedTime(received));
        }

        var batched = _runner?.Plan.Mode == FlowMode.Realtime;
        await _step.Ledger.AdmitAsync(poll.Message.ExecutionId); // a tick starts an execution, counted like an accepted message
        await _step.Streams.PublishDataAsync(outputs, batched);
        await _step.Streams.PublishEventsAsync(outputs, batched);
        var emitted = outputs.Next.Count + outputs.Events.Count(e => e.Kind == FlowEventKind.Output);
        return new TriggerPollResult(outputs.SnapshotChanged, outputs.Snapshot, emitted, error);
    }
}
