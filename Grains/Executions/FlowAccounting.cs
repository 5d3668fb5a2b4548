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
        state.Accepted, state.Completed, state.Failed, state.InFlight.Count, state.Rejected, state.Replayed, state.Expired, state.DuplicatesDropped, Unrouted: state.Unrouted);

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

    public void Release(string executionId)
    {
        if (state.InFlight.Remove(executionId))
        {
            state.Accepted--;
            Dirty = true;
        }
    }

    public void Replaying(string executionId)
    {
        state.Replayed++;
        state.InFlight[executionId] = time.GetUtcNow();
        Dirty = true;
    }

    /// <summary>An outcome of the execution; only its first one counts.</summary>
    public void Outcome(string executionId, bool failed)
    {
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

    /// <summary>Executions in flight for longer than <paramref name="timeout"/> (lost with a silo) stop holding the backlog.</summary>
    public int Expire(TimeSpan timeout)
    {
        var before = time.GetUtcNow() - timeout;
        var expired = state.InFlight.Where(e => e.Value < before).Select(e => e.Key).ToArray();
        foreach (var id in expired)
        {
            state.InFlight.Remove(id);
        }

        state.Expired += expired.Length;
        Dirty |= expired.Length > 0;
        return expired.Length;
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
