using FlowActors.Grains.Executions;

namespace FlowActors.Tests.Delivery;

/// <summary>The counters and the backlog, without a cluster.</summary>
[TestClass]
public sealed class FlowAccountingTests
{
    [TestMethod]
    public void Backlog_RefusesBeyondItsLimit_AndFreesAPlacePerOutcome()
    {
        var accounting = new FlowAccounting(new FlowAccountingState(), new ManualTime());

        Assert.IsNull(accounting.TryAccept("a", maxInFlight: 2));
        Assert.IsNull(accounting.TryAccept("b", maxInFlight: 2));
        Assert.IsNotNull(accounting.TryAccept("c", maxInFlight: 2));
        accounting.Outcome("a", failed: false);
        Assert.IsNull(accounting.TryAccept("c", maxInFlight: 2));

        var counters = accounting.Counters;
        Assert.AreEqual(3, counters.Accepted);
        Assert.AreEqual(1, counters.Rejected);
        Assert.AreEqual(1, counters.Completed);
        Assert.AreEqual(2, counters.InFlight);
    }

    [TestMethod]
    public void Outcome_CountsOncePerExecution_AndAReplayCountsItsNextOne()
    {
        var accounting = new FlowAccounting(new FlowAccountingState(), new ManualTime());
        accounting.TryAccept("a", 10);

        accounting.Outcome("a", failed: true);
        accounting.Outcome("a", failed: false); // a fan-out's second branch
        Assert.AreEqual((1L, 0L, 0), (accounting.Counters.Failed, accounting.Counters.Completed, accounting.Counters.InFlight));

        accounting.Replaying("a");
        Assert.AreEqual(1, accounting.Counters.InFlight);
        accounting.Outcome("a", failed: false);
        Assert.AreEqual((1L, 1L, 1L, 0), (accounting.Counters.Failed, accounting.Counters.Completed, accounting.Counters.Replayed, accounting.Counters.InFlight));
    }

    [TestMethod]
    public void Expire_FreesExecutionsThatNeverHadAnOutcome_AndCountsThem()
    {
        var time = new ManualTime();
        var accounting = new FlowAccounting(new FlowAccountingState(), time);
        accounting.TryAccept("lost", 1);
        time.Advance(TimeSpan.FromMinutes(5));

        Assert.AreEqual((0, 0), accounting.Expire(TimeSpan.FromMinutes(10)));
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.AreEqual((1, 0), accounting.Expire(TimeSpan.FromMinutes(10)));

        Assert.AreEqual((1L, 0L, 0), (accounting.Counters.Expired, accounting.Counters.OutcomeUnknown, accounting.Counters.InFlight));
        Assert.IsNull(accounting.TryAccept("next", 1));
    }

    /// <summary>
    /// Issue 22's run: after a SIGKILL the counters said "expired 32" (lost with a silo?) although all 5,000 messages were
    /// delivered. The dead activation had counted their outcomes in its last, unstored second; the next one read them as
    /// in flight and, as no outcome comes twice, expired them. What it cannot know it must not call lost.
    /// </summary>
    [TestMethod]
    public void AfterALostActivation_WhatWasInFlightThenIsOutcomeUnknown_NotLost_AndLaterAcceptsStillExpire()
    {
        var time = new ManualTime();
        var stored = new FlowAccountingState();
        var dead = new FlowAccounting(stored, time);
        foreach (var id in new[] { "ended-unstored", "ends-later", "replayed", "released" })
        {
            dead.TryAccept(id, 10);
        }

        // The dead activation's last second (an outcome counted, never stored) is simply not in the stored state.
        var next = new FlowAccounting(stored, time);
        Assert.AreEqual(4, next.TakeOverFromLostActivation());
        next.Outcome("ends-later", failed: false);
        next.Replaying("replayed");
        next.Release("released");
        next.TryAccept("accepted-after", 10);

        time.Advance(TimeSpan.FromMinutes(11));
        Assert.AreEqual((2, 1), next.Expire(TimeSpan.FromMinutes(10)), "the replay and the later accept this activation saw start: lost; the other: unknown");

        var counters = next.Counters;
        Assert.AreEqual((2L, 1L, 1L, 0), (counters.Expired, counters.OutcomeUnknown, counters.Completed, counters.InFlight));
        Assert.AreEqual(0, stored.Uncertain.Count, "nothing stays uncertain once it left the backlog");
    }

    [TestMethod]
    public void RetryAfter_FollowsTheRateAtWhichExecutionsFinish()
    {
        var time = new ManualTime();
        var accounting = new FlowAccounting(new FlowAccountingState(), time);
        for (var i = 0; i < 100; i++)
        {
            accounting.TryAccept($"m{i}", 100);
        }

        Assert.AreEqual(TimeSpan.FromSeconds(5), accounting.TryAccept("x", 100), "nothing finished yet: a default wait");
        for (var i = 0; i < 50; i++)
        {
            accounting.Outcome($"m{i}", failed: false);
        }

        time.Advance(TimeSpan.FromSeconds(5)); // 50 in 5 s: 10 per second
        for (var i = 0; i < 50; i++)
        {
            accounting.TryAccept($"n{i}", 100);
        }

        Assert.AreEqual(TimeSpan.FromSeconds(1), accounting.TryAccept("y", 100), "a tenth of the backlog (10) at 10 per second");
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override DateTimeOffset GetUtcNow() => _now;

        public override long GetTimestamp() => _now.UtcTicks;

        public void Advance(TimeSpan by) => _now += by;
    }
}
