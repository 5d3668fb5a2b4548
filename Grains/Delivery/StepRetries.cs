using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Steps;

namespace FlowActors.Grains.Delivery;

/// <summary>
/// Counts a step's tries per message and decides, after a failed one, between trying again later (exponential backoff
/// with jitter) and giving up (the message is dead-lettered).
/// </summary>
/// <remarks>Not thread-safe: it lives in a grain activation.</remarks>
internal sealed class StepRetries(RetryPolicy policy, TimeProvider time)
{
    private readonly Dictionary<string, (List<DeliveryAttempt> Attempts, DateTimeOffset FirstTried)> _tries = new(StringComparer.Ordinal);

    public RetryPolicy Policy => policy;

    /// <summary>Messages with a failed try that are neither completed nor given up.</summary>
    public int Count => _tries.Count;

    /// <summary>Remembers the tries of a message an earlier activation was retrying.</summary>
    public void Load(PendingRetry pending) =>
        _tries[pending.Message.Id] = ([.. pending.Attempts], pending.FirstTried);

    /// <summary>
    /// Records a failed try at <paramref name="message"/>. Returns when to try again, or null when the tries ran out
    /// (or <paramref name="final"/>: the component refused it for good); then <paramref name="given"/> holds the tries.
    /// </summary>
    public PendingRetry? Failed(FlowMessage message, string error, int? revision, bool final, out DeadLetterTries given)
    {
        var now = time.GetUtcNow();
        if (!_tries.TryGetValue(message.Id, out var tries))
        {
            tries = ([], now);
            _tries[message.Id] = tries;
        }

        tries.Attempts.Add(new DeliveryAttempt(now, error, revision));
        if (final || tries.Attempts.Count >= policy.MaxAttempts)
        {
            _tries.Remove(message.Id);
            given = new DeadLetterTries(tries.Attempts, now - tries.FirstTried);
            return null;
        }

        given = default;
        var delay = policy.Delay(tries.Attempts.Count, Random.Shared.NextDouble());
        return new PendingRetry(message, [.. tries.Attempts], tries.FirstTried, now + delay);
    }

    /// <summary>
    /// Settles one try at <paramref name="entry"/>: what the component made of it goes into <paramref name="outputs"/>
    /// (<see cref="Settled.Completed"/>); a failed call or a rebound is tried again later (<see cref="Settled.Retry"/>,
    /// with <paramref name="retry"/>) until the tries run out; then, or at once for a poison emit or a certain failure
    /// (the component cannot start), the message is dead-lettered (<see cref="Settled.GaveUp"/>).
    /// </summary>
    /// <param name="error">Why the call failed, naming the step; null when it succeeded.</param>
    /// <param name="refusal">Why the step refuses the message for good without calling the component (its mapping failed): dead-lettered at once.</param>
    /// <param name="calls">The component calls the message took (its mapping's <c>each</c>), which its budget pays for.</param>
    /// <param name="certain">The failure would recur on every try (<see cref="StepException.IsCertain"/>): no retry.</param>
    public Settled Settle(
        StepOutputs outputs,
        StepPlan plan,
        InboxEntry entry,
        IReadOnlyList<Emit>? emits,
        string? error,
        int? revision,
        out PendingRetry? retry,
        string? refusal = null,
        int calls = 1,
        bool certain = false)
    {
        retry = null;
        var message = entry.Message;
        var poison = false;
        if (refusal is not null)
        {
            Failed(message, refusal, revision, final: true, out var refused);
            outputs.DeadLetter(message, refusal, refused.Attempts, System.Diagnostics.Stopwatch.GetElapsedTime(entry.Received), poison: true);
            return Settled.GaveUp;
        }

        if (error is null)
        {
            var verdict = outputs.Add(plan, message, emits ?? [], entry.Received, calls);
            if (!verdict.Again && verdict.Poison is null)
            {
                Forget(message.Id);
                return Settled.Completed;
            }

            poison = verdict.Poison is not null;
            error = verdict.Poison ?? $"Step '{plan.Step.Id}' (component '{plan.Step.ComponentId}') rebounded the message (asked to get it again later).";
        }

        retry = Failed(message, error, revision, poison || certain, out var given);
        if (retry is not null)
        {
            return Settled.Retry;
        }

        var why = poison ? error
            : certain ? $"{error}\nThis failure is certain (another try would fail the same way), so the message was not retried; it is dead-lettered. Fix the component, then replay it."
            : $"{error} The step gave up after {given.Attempts.Count} tries in {given.Elapsed.TotalSeconds:0.#} s; the message is dead-lettered.";
        outputs.DeadLetter(message, why, given.Attempts, System.Diagnostics.Stopwatch.GetElapsedTime(entry.Received), poison);
        return Settled.GaveUp;
    }

    /// <summary>The message completed (or the step let it go): its tries are forgotten.</summary>
    public void Forget(string id) => _tries.Remove(id);
}

/// <summary>The tries of a message a step gave up on, and how long it tried.</summary>
internal readonly record struct DeadLetterTries(IReadOnlyList<DeliveryAttempt> Attempts, TimeSpan Elapsed);

/// <summary>What came of a try at a message.</summary>
internal enum Settled
{
    /// <summary>Processed; what came of it is in the outputs.</summary>
    Completed,

    /// <summary>To be tried again later.</summary>
    Retry,

    /// <summary>Dead-lettered (its tries ran out, or it is poison).</summary>
    GaveUp,
}
