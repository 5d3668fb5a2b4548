using FlowActors.Client;
using FlowActors.Grains.Delivery;
using FlowActors.Grains.Steps;

namespace FlowActors.Tests.Flows;

/// <summary>The pure rules behind at-least-once delivery with de-duplication: stable ids, the completed window, backoff.</summary>
[TestClass]
public sealed class DeliveryRulesTests
{
    [TestMethod]
    public void OutputIds_FollowFromTheInputIdTheStepAndTheIndex_SoAMessageProcessedAgainMakesTheSameIds()
    {
        var input = FlowMessage.Create("{}");
        var hop = new StepTiming("enrich", TimeSpan.FromMilliseconds(1));

        var first = input.Next(0, "{}", null, hop);
        var again = input.Next(0, """{"other":"body"}""", null, hop with { Elapsed = TimeSpan.FromSeconds(1) });

        Assert.AreEqual(first.Id, again.Id, "the same input, step and index: the same id");
        Assert.AreNotEqual(first.Id, input.Next(1, "{}", null, hop).Id, "a fan-out's outputs differ");
        Assert.AreNotEqual(first.Id, input.Next(0, "{}", null, new StepTiming("other", TimeSpan.Zero)).Id, "another step's outputs differ");
        Assert.AreNotEqual(first.Id, FlowMessage.Create("{}").Next(0, "{}", null, hop).Id, "another input's outputs differ");
        Assert.AreEqual(32, first.Id.Length);
    }

    [TestMethod]
    public void Deduplication_DropsWhatIsInHandOrCompleted_ForgetsTheOldest_AndLetsAnAbandonedMessageIn()
    {
        var window = new StepDeduplication(capacity: 2);

        Assert.IsTrue(window.TryBegin("a"));
        Assert.IsFalse(window.TryBegin("a"), "in hand: a second delivery is a duplicate");
        window.Complete("a");
        Assert.IsFalse(window.TryBegin("a"), "completed: a duplicate");

        Assert.IsTrue(window.TryBegin("b"));
        window.Abandon("b");
        Assert.IsTrue(window.TryBegin("b"), "let go unprocessed (dead-lettered, its delivery failed): processed when it comes again");
        window.Complete("b");
        window.Complete("c");
        Assert.IsTrue(window.TryBegin("a"), "the oldest id left the window of 2");

        var restored = new StepDeduplication(capacity: 2);
        restored.Load(window.Save());
        Assert.IsFalse(restored.TryBegin("c"), "a new activation remembers what the stored window holds");
    }

    [TestMethod]
    public void RetryDelays_DoubleFromTheFirst_UpToTheCap_WithJitterBetweenHalfAndAll()
    {
        var policy = RetryPolicy.Resolve(null, new StepRetryOptions());

        Assert.AreEqual(5, policy.MaxAttempts);
        Assert.AreEqual(TimeSpan.FromSeconds(1), policy.Delay(1, jitter: 0.999999).RoundTo(TimeSpan.FromMilliseconds(1)));
        Assert.AreEqual(TimeSpan.FromSeconds(0.5), policy.Delay(1, jitter: 0));
        Assert.AreEqual(TimeSpan.FromSeconds(4), policy.Delay(3, jitter: 0.999999).RoundTo(TimeSpan.FromMilliseconds(1)));
        Assert.AreEqual(TimeSpan.FromMinutes(2.5), policy.Delay(40, jitter: 0), "capped at 5 minutes before the jitter");
    }

    [TestMethod]
    public void RetryPolicy_TakesTheStepsFields_ThenTheFlows_ThenTheSilos()
    {
        var flow = new DeliveryPolicy(MaxAttempts: 9, FirstRetryDelay: TimeSpan.FromSeconds(2), KeepOrder: true);
        var step = new DeliveryPolicy(MaxAttempts: 3);

        var policy = RetryPolicy.Resolve(step.Over(flow), new StepRetryOptions());

        Assert.AreEqual(new RetryPolicy(3, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), KeepOrder: true), policy);
    }
}

internal static class TimeSpanRounding
{
    public static TimeSpan RoundTo(this TimeSpan value, TimeSpan unit) => TimeSpan.FromTicks((long)Math.Round((double)value.Ticks / unit.Ticks) * unit.Ticks);
}
