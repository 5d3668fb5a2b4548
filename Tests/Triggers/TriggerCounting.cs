using System.Text.Json;
using FlowActors.Client;
using FlowActors.Client.Events;
using FlowActors.Tests.Triggers.Fakes;

namespace FlowActors.Tests.Triggers;

/// <summary>Counting for the trigger tests: sent, delivered (outputs), duplicated, lost, and where every message ended up in the fake.</summary>
internal static class TriggerCounting
{
    /// <summary>The <c>n</c> of a body <c>{"n": 7}</c> or of an output of it.</summary>
    public static long N(FlowEvent e) => JsonDocument.Parse(e.Message!.Body).RootElement.GetProperty("n").GetInt64();

    /// <summary>Reads outputs until every n in [0, <paramref name="sent"/>) was seen, or the deadline passes; returns the outputs seen.</summary>
    public static async Task<List<FlowEvent>> CollectAsync(FlowEventSubscription events, int sent, TimeSpan timeout)
    {
        var outputs = new List<FlowEvent>();
        var seen = new HashSet<long>();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var e in events.ReadAllAsync(deadline.Token))
            {
                Assert.AreNotEqual(FlowEventKind.Error, e.Kind, $"execution {e.ExecutionId} failed: {e.Error}");
                if (e.Kind == FlowEventKind.Output)
                {
                    outputs.Add(e);
                    seen.Add(N(e));
                    if (seen.Count == sent)
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
        }

        return outputs;
    }

    /// <summary>Prints the counts and checks none was lost; returns the duplicates.</summary>
    public static int AssertNoneLost(string what, int sent, IReadOnlyCollection<FlowEvent> outputs, FakeServiceBusEntity entity)
    {
        var delivered = outputs.Select(N).Distinct().Count();
        var duplicates = outputs.Count - delivered;
        var lost = sent - delivered;
        var messages = entity.Messages;
        Console.WriteLine(
            $"{what}: sent {sent}, delivered {delivered}, duplicated {duplicates}, lost {lost}; in Service Bus: completed {Count(FakeMessageState.Completed)}, " +
            $"dead-lettered {Count(FakeMessageState.DeadLettered)}, available {Count(FakeMessageState.Available)}, locked {Count(FakeMessageState.Locked)}, " +
            $"redelivered {messages.Count(m => m.DeliveryCount > 1)}");
        Assert.AreEqual(0, lost, $"{what}: lost {lost} of {sent}");
        return duplicates;

        int Count(FakeMessageState state) => messages.Count(m => m.State == state);
    }

    /// <summary>Polls (bounded) until <paramref name="done"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> done, TimeSpan timeout, Func<string> describe)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Not within {timeout.TotalSeconds:0.#} s: {describe()}");
            }

            await Task.Delay(20);
        }
    }
}
