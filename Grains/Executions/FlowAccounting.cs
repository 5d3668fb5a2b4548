using FlowActors.Client;

namespace FlowActors.Grains.Executions;

/// <summary>
/// A flow's exact counters and its bounded backlog. Each accepted execution is remembered until its first outcome, so a
/// later outcome of the same execution (fan-out, a reply then an output) never counts twice, and the set of executions
/// in flight is itself the backlog (never more than the flow's limit, so it stays small enough to store). Pure, so
/// that a unit test reaches it without a cluster.
/// </summary>
public sealed class FlowAccounting(FlowAccountingState state, TimeProvider time)
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan IdleRetryAfter = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    private long _windowStart = time.GetTimestamp();
    private int _windowOutcomes;
    private double _outcomesPerSecond;

    /// <summary>True when something changed since <see cref="MarkStored"/>.</summary>
    public bool Dirty { get; private set; }

    public FlowAccountingState State => state;

    public FlowCounters Counters => new(
        state.Accepted, state.Completed, state.Failed, state.InFlight.Count, state.Rejected, state.Replayed, state.Expired, state.DuplicatesDropped,
        Unrouted: state.Unrouted, OutcomeUnknown: state.OutcomeUnknown);

    /// <summary>Accepts the execution when fewer than <paramref name="maxInFlight"/> are in flight; otherwise says when to try again.</summary>
    public TimeSpan? TryAccept(string executionId, int maxInFlight)
    {
        Dirty = true;
        if (state.InFlight.ContainsKey(executionId))
        {
            return null; // the same message sent twice (a client retry) is one execution
        }

        if (state.InFlight.Count >= maxInFlight)
        {
            state.Rejected++;
            return RetryAfter(maxInFlight);
        }

        state.Accepted++;
        state.InFlight[executionId] = time.GetUtcNow();
        return null;
    }

    /// <summary>
    /// The activation that counted before this one died with up to a second of counting unstored (see
    /// <see cref="FlowAccountingState.Counting"/>): an execution it had in flight may have ended and been counted there.
    /// Marks them uncertain; returns how many.
    /// </summary>
    public int TakeOverFromLostActivation()
    {
        state.Uncertain.UnionWith(state.InFlight.Keys);
        state.Uncertain.IntersectWith(state.InFlight.Keys); // what left the backlog meanwhile is no longer a question
        Dirty = true;
        return state.Uncertain.Count;
    }

    public void Release(string executionId)
    {
        state.Uncertain.Remove(executionId);
        if (state.InFlight.Remove(executionId))
        {
            state.Accepted--;
            Dirty = true;
        }
    }

    public void Replaying(string executionId)
    {
        state.Uncertain.Remove(executionId); // this activation sees the replay start: its outcome, or none, is known here
        state.Replayed++;
        state.InFlight[executionId] = time.GetUtcNow();
        Dirty = true;
    }

    /// <summary>An outcome of the execution; only its first one counts.</summary>
    public void Outcome(string executionId, bool failed)
    {
        state.Uncertain.Remove(executionId);
        if (!state.InFlight.Remove(executionId))
        {
            return;
        }

        if (failed)
        {
            state.Failed++;
        }
        else
        {
            state.Completed++;
        }

        _windowOutcomes++;
        RollRateWindow();
        Dirty = true;
    }

    /// <summary>An output no edge of its step took (its branch ended there); the execution's outcome is counted apart.</summary>
    public void OutputUnrouted()
    {
        state.Unrouted++;
        Dirty = true;
    }

    public void DuplicatesDropped(int count)
    {
        if (count > 0)
        {
            state.DuplicatesDropped += count;
            Dirty = true;
        }
    }

    /// <summary>
    /// Executions in flight for longer than <paramref name="timeout"/> stop holding the backlog. Those this flow's
    /// counting saw accepted and never saw end were lost (with a silo): <c>Expired</c>. Those whose outcome may have been
    /// counted by an activation that died unstored (<see cref="TakeOverFromLostActivation"/>) are not known to be lost:
    /// <c>OutcomeUnknown</c>.
    /// </summary>
    public (int Expired, int Unknown) Expire(TimeSpan timeout)
    {
        var before = time.GetUtcNow() - timeout;
        var timedOut = state.InFlight.Where(e => e.Value < before).Select(e => e.Key).ToArray();
        var unknown = 0;
        foreach (var id in timedOut)
        {
            state.InFlight.Remove(id);
            if (state.Uncertain.Remove(id))
            {
                unknown++;
            }
        }

        state.Expired += timedOut.Length - unknown;
        state.OutcomeUnknown += unknown;
        Dirty |= timedOut.Length > 0;
        return (timedOut.Length - unknown, unknown);
    }

    public void MarkStored() => Dirty = false;

    public void MarkDirty() => Dirty = true;

    /// <summary>Long enough for a tenth of the backlog to finish at the rate the flow finished executions lately.</summary>
    private TimeSpan RetryAfter(int maxInFlight)
    {
        RollRateWindow();
        if (_outcomesPerSecond <= 0)
        {
            return IdleRetryAfter;
        }

        var seconds = Math.Ceiling(Math.Max(1, maxInFlight / 10.0) / _outcomesPerSecond);
        return TimeSpan.FromSeconds(Math.Clamp(seconds, 1, MaxRetryAfter.TotalSeconds));
    }

    private void RollRateWindow()
    {
        var elapsed = time.GetElapsedTime(_windowStart);
        if (elapsed >= RateWindow)
        {
            _outcomesPerSecond = _windowOutcomes / elapsed.TotalSeconds;
            _windowOutcomes = 0;
            _windowStart = time.GetTimestamp();
        }
    }
}
