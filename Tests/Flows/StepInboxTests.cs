using FlowActors.Client;
using FlowActors.Grains.Steps;

namespace FlowActors.Tests.Flows;

/// <summary>
/// The real-time step's inbox on its own: batches in arrival order, back-pressure, nothing lost on close. Each test
/// runs on a one-at-a-time scheduler, as the inbox does inside a grain activation.
/// </summary>
[TestClass]
public sealed class StepInboxTests
{
    [TestMethod]
    public Task Inbox_BatchesWhatQueuedWhileABatchWasInFlight_InArrivalOrder() => OnOneThreadAsync(async () =>
    {
        var batches = new List<int[]>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inbox = new StepInbox(capacity: 100, maxBatchSize: () => 4, maxBatchBytes: int.MaxValue, async batch =>
        {
            batches.Add([.. batch.Select(Number)]);
            await gate.Task;
        });

        for (var i = 0; i < 10; i++)
        {
            await inbox.EnqueueAsync(Entry(i));
        }

        gate.SetResult();
        var left = await WhenDrainedAsync(inbox);

        Assert.IsEmpty(left);
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).ToArray(), batches.SelectMany(b => b).ToArray());
        Assert.IsTrue(batches.All(b => b.Length <= 4), "no batch exceeds the maximum");
    });

    [TestMethod]
    public Task Inbox_EndsABatchBeforeItsBodiesPassTheByteBound_AndSendsALargeMessageAlone() => OnOneThreadAsync(async () =>
    {
        var batches = new List<int[]>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inbox = new StepInbox(capacity: 100, maxBatchSize: () => 100, maxBatchBytes: 1000, async batch =>
        {
            batches.Add([.. batch.Select(e => e.Message.Body.Length)]);
            await gate.Task;
        });

        // All six are queued before the pump runs: a third 400 would pass 1000; 5000 is over the bound alone and still goes.
        foreach (var size in new[] { 10, 400, 400, 400, 5000, 10 })
        {
            await inbox.EnqueueAsync(new InboxEntry(new FlowMessage($"m{size}", new string('1', size), new Dictionary<string, string>(), "e"), 0));
        }

        gate.SetResult();
        Assert.IsEmpty(await WhenDrainedAsync(inbox));

        Assert.AreEqual("10,400,400 | 400 | 5000 | 10", string.Join(" | ", batches.Select(b => string.Join(',', b))));
    });

    [TestMethod]
    public Task Inbox_WhenFull_HoldsTheSenderBack_UntilABatchIsTaken() => OnOneThreadAsync(async () =>
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inbox = new StepInbox(capacity: 2, maxBatchSize: () => 2, maxBatchBytes: int.MaxValue, _ => gate.Task);
        await inbox.EnqueueAsync(Entry(0));
        await Task.Yield(); // the pump takes 0 and waits on the gate
        await inbox.EnqueueAsync(Entry(1));
        await inbox.EnqueueAsync(Entry(2));

        var third = inbox.EnqueueAsync(Entry(3)).AsTask();
        await Task.Delay(50);
        Assert.IsFalse(third.IsCompleted, "a full inbox makes the stream wait");

        gate.SetResult();
        await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.IsEmpty(await WhenDrainedAsync(inbox));
    });

    [TestMethod]
    public Task Close_WaitsForTheBatchInFlight_AndHandsBackWhatWasStillQueued() => OnOneThreadAsync(async () =>
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var processed = new List<int>();
        var inbox = new StepInbox(capacity: 10, maxBatchSize: () => 1, maxBatchBytes: int.MaxValue, async batch =>
        {
            processed.AddRange(batch.Select(Number));
            await gate.Task;
        });
        await inbox.EnqueueAsync(Entry(0));
        await Task.Yield();
        await inbox.EnqueueAsync(Entry(1));
        await inbox.EnqueueAsync(Entry(2));

        var closing = inbox.CloseAsync();
        Assert.IsFalse(closing.IsCompleted, "close waits for the batch in flight");
        gate.SetResult();
        var left = await closing;

        CollectionAssert.AreEqual(new[] { 0 }, processed);
        CollectionAssert.AreEqual(new[] { 1, 2 }, left.Select(Number).ToArray());
    });

    private static Task OnOneThreadAsync(Func<Task> test) =>
        Task.Factory.StartNew(test, CancellationToken.None, TaskCreationOptions.None, new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler).Unwrap();

    private static async Task<IReadOnlyList<InboxEntry>> WhenDrainedAsync(StepInbox inbox)
    {
        for (var i = 0; i < 200 && inbox.Count > 0; i++)
        {
            await Task.Delay(10);
        }

        return await inbox.CloseAsync();
    }

    private static InboxEntry Entry(int n) => new(new FlowMessage($"m{n}", $"{n}", new Dictionary<string, string>(), $"e{n}"), 0);

    private static int Number(InboxEntry entry) => int.Parse(entry.Message.Body, System.Globalization.CultureInfo.InvariantCulture);
}
