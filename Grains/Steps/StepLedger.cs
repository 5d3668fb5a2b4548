using FlowActors.Grains.Interfaces.Delivery;
using FlowActors.Grains.Interfaces.Executions;

namespace FlowActors.Grains.Steps;

/// <summary>
/// What a step tells its flow's books besides its events: the messages it gave up on go to the flow's dead letters
/// (stored before the error events announce them), and the executions that ended here silently or the duplicates it
/// dropped go to the flow's counters.
/// </summary>
internal sealed class StepLedger(IGrainFactory grains, string flowId)
{
    /// <summary>
    /// Counts an execution a trigger started at this step (a schedule's tick) as accepted and in flight, so its outcome
    /// counts. Never refused: a schedule keeps its own pace, and a tick refused here would be lost.
    /// </summary>
    public Task AdmitAsync(string executionId) =>
        grains.GetGrain<IExecutionLogGrain>(flowId).TryAcceptAsync(executionId, int.MaxValue);

    /// <exception cref="Exception">The dead letters could not be stored (the caller decides: fail the delivery or log).</exception>
    public async Task RecordAsync(StepOutputs outputs)
    {
        if (outputs.Ended.Count > 0 || outputs.DuplicatesDropped > 0)
        {
            await grains.GetGrain<IExecutionLogGrain>(flowId).ReportStepAsync(outputs.Ended.ToArray(), outputs.DuplicatesDropped); // one-way
        }

        if (outputs.DeadLetters.Count > 0)
        {
            await grains.GetGrain<IDeadLetterGrain>(flowId).AddAsync(outputs.DeadLetters.ToArray());
        }
    }
}
