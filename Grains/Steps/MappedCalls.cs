using FlowActors.Client;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Mappings;

namespace FlowActors.Grains.Steps;

/// <summary>
/// Calls a step's component on messages after its mapping: each message's mapped body (or, with <c>each</c>, one call
/// per element) goes to the component in one batch, and the results are folded back into one per message, as if the
/// message had been one call: its emits in order, the first failure if a call failed (the message is tried again
/// whole), or the mapping's refusal. A step without a mapping calls the component as it always did.
/// </summary>
internal static class MappedCalls
{
    public static async Task<StepResult[]> InvokeAsync(
        StepInvoker invoker,
        StepExpressions? expressions,
        StepPlan plan,
        IReadOnlyList<FlowMessage> messages,
        string? snapshot,
        int maxMessagesPerExecution,
        CancellationToken cancellationToken)
    {
        if (expressions is not { HasMapping: true })
        {
            return await invoker.InvokeBatchAsync(plan, messages, snapshot, cancellationToken);
        }

        var mapped = expressions.Map(messages, message => MaxCalls(plan, message, maxMessagesPerExecution));
        var calls = new List<FlowMessage>(messages.Count);
        foreach (var input in mapped)
        {
            calls.AddRange(input.Calls ?? []);
        }

        var called = calls.Count == 0 ? [] : await invoker.InvokeBatchAsync(plan, calls, snapshot, cancellationToken);
        var results = new StepResult[messages.Count];
        var next = 0;
        for (var i = 0; i < results.Length; i++)
        {
            if (mapped[i].Refusal is { } refusal)
            {
                results[i] = new StepResult(messages[i], null, null, refusal);
                continue;
            }

            var count = mapped[i].Calls!.Length;
            results[i] = Fold(messages[i], called.AsSpan(next, count));
            next += count;
        }

        return results;
    }

    /// <summary>The results of one message's calls as one: every emit in order, or the first failure.</summary>
    private static StepResult Fold(FlowMessage message, ReadOnlySpan<StepResult> calls)
    {
        if (calls.Length == 1)
        {
            return calls[0] with { Message = message };
        }

        var emits = new List<ComponentProtocol.Emit>();
        foreach (var call in calls)
        {
            if (call.Error is not null)
            {
                return new StepResult(message, null, call.Error);
            }

            emits.AddRange(call.Emits ?? []);
        }

        return new StepResult(message, emits, null, Calls: calls.Length);
    }

    /// <summary>
    /// The most component calls <paramref name="message"/>'s budget allows at this step: each call, with the calls its
    /// one output causes further on (every path from the next steps), or, at a last step, a call and its output as one.
    /// </summary>
    private static int MaxCalls(StepPlan plan, FlowMessage message, int maxMessagesPerExecution)
    {
        long perCall = 1;
        for (var i = 0; i < plan.NextSteps.Count; i++)
        {
            perCall += plan.CallsOfNextStep(i);
        }

        var budget = Math.Min(message.Budget ?? maxMessagesPerExecution, maxMessagesPerExecution);
        return (int)(budget / perCall);
    }
}
