using FlowActors.Client;
using FlowActors.Grains.Executions;

namespace FlowActors.Tests.Client;

/// <summary>The execution log's folding of flow events, without a cluster.</summary>
[TestClass]
public sealed class ExecutionLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    [TestMethod]
    public void Add_KeepsOnlyTheMostRecentlyUpdatedExecutions()
    {
        var log = new ExecutionLog(capacity: 3);
        for (var i = 0; i < 5; i++)
        {
            log.Add(Output($"e{i}", "a"), T0.AddSeconds(i));
        }

        log.Add(Output("e2", "b"), T0.AddSeconds(10)); // an update moves e2 to the front

        CollectionAssert.AreEqual(new[] { "e2", "e4", "e3" }, log.Recent(10).Select(r => r.ExecutionId).ToArray());
        Assert.IsNull(log.Find("e0"));
        Assert.AreEqual(3, log.Count);
    }

    [TestMethod]
    public void Add_AnErrorWinsOverOutputs_AndNamesTheFailingStep()
    {
        var log = new ExecutionLog(10);
        log.Add(Output("e", "first"), T0);
        log.Add(new FlowEvent(FlowEventKind.Error, "f", "check", "e", null, "Step 'check' failed: boom", TimeSpan.FromMilliseconds(3),
            [new StepTiming("first", TimeSpan.FromMilliseconds(1)), new StepTiming("check", TimeSpan.FromMilliseconds(3))]), T0.AddSeconds(1));
        log.Add(Output("e", "other"), T0.AddSeconds(2));

        var record = log.Find("e")!;
        Assert.AreEqual(ExecutionStatus.Failed, record.Status);
        Assert.AreEqual("check", record.FailedStep);
        StringAssert.Contains(record.Error, "Step 'check'");
        Assert.AreEqual(3, record.Events);
        Assert.AreEqual(T0, record.FirstEventAt);
        Assert.AreEqual(T0.AddSeconds(2), record.LastEventAt);
    }

    [TestMethod]
    public void Add_FanOutPaths_KeepEachStepTimingOnce()
    {
        var log = new ExecutionLog(10);
        var shared = new StepTiming("split", TimeSpan.FromMilliseconds(2));
        log.Add(Event("e", FlowEventKind.Output, shared, new StepTiming("left", TimeSpan.FromMilliseconds(4))), T0);
        log.Add(Event("e", FlowEventKind.HttpReply, shared, new StepTiming("right", TimeSpan.FromMilliseconds(5))), T0);

        var record = log.Find("e")!;
        CollectionAssert.AreEqual(new[] { "split", "left", "right" }, record.Steps.Select(s => s.StepId).ToArray());
        Assert.AreEqual(ExecutionStatus.Replied, record.Status);
    }

    [TestMethod]
    public void Add_KeepsOutputBodies_WithinTheBudgetPerExecution_AndMarksWhatIsCut()
    {
        var log = new ExecutionLog(10, maxOutputBytes: 19);
        log.Add(Body("e", "left", """{"a":"ééé"}"""), T0); // 14 bytes: kept whole, 5 left
        log.Add(Body("e", "right", "\"ééééé\""), T0); // 12 bytes: cut to 5, on a character boundary
        log.Add(Body("e", "third", "{}"), T0); // nothing left
        log.Add(new FlowEvent(FlowEventKind.Error, "f", "fourth", "e", null, "boom", TimeSpan.Zero, []), T0);

        var outputs = log.Find("e")!.Outputs;
        Assert.HasCount(3, outputs, "errors are not outputs");
        Assert.AreEqual(new ExecutionOutput("left", FlowEventKind.Output, """{"a":"ééé"}""", false, 14), outputs[0]);
        Assert.AreEqual(new ExecutionOutput("right", FlowEventKind.Output, "\"éé", true, 12), outputs[1]);
        Assert.AreEqual(new ExecutionOutput("third", FlowEventKind.Output, null, true, 2), outputs[2]);
    }

    [TestMethod]
    public void Add_KeepsNoBodies_WhenTheBudgetIsZero_AndListsAtMostMaxOutputs()
    {
        var none = new ExecutionLog(10, maxOutputBytes: 0);
        none.Add(Body("e", "s", "{}"), T0);
        Assert.AreEqual(new ExecutionOutput("s", FlowEventKind.Output, null, true, 2), none.Find("e")!.Outputs.Single());

        var many = new ExecutionLog(10);
        for (var i = 0; i < ExecutionLog.MaxOutputs + 5; i++)
        {
            many.Add(Body("e", $"s{i}", "{}"), T0);
        }

        Assert.HasCount(ExecutionLog.MaxOutputs, many.Find("e")!.Outputs);
        Assert.AreEqual(ExecutionLog.MaxOutputs + 5, many.Find("e")!.Events);
    }

    [TestMethod]
    public void Replaying_AFailedExecution_ItsOutputThroughTheFailedStepMakesItSucceed_AnotherErrorFailsItAnew()
    {
        var log = new ExecutionLog(10);
        var first = new StepTiming("first", TimeSpan.FromMilliseconds(1));
        var check = new StepTiming("check", TimeSpan.FromMilliseconds(2));
        log.Add(Failure("e", "boom", first, check), T0);
        log.Add(Failure("again", "boom", first, check), T0);
        log.Add(Failure("other", "boom", first, check), T0);

        log.Replaying("e");
        log.Replaying("again");
        log.Add(Event("e", FlowEventKind.Output, first, check), T0.AddSeconds(1));
        log.Add(Failure("again", "still broken", first, check), T0.AddSeconds(1));
        log.Add(Event("other", FlowEventKind.Output, first, check), T0.AddSeconds(1));

        var replayed = log.Find("e")!;
        Assert.AreEqual(ExecutionStatus.Succeeded, replayed.Status);
        Assert.IsNull(replayed.FailedStep);
        Assert.IsNull(replayed.Error);
        Assert.HasCount(1, replayed.Outputs);
        Assert.AreEqual("still broken", log.Find("again")!.Error);
        Assert.AreEqual(ExecutionStatus.Failed, log.Find("again")!.Status);
        Assert.AreEqual(ExecutionStatus.Failed, log.Find("other")!.Status, "without a replay an error still wins over any output");
    }

    [TestMethod]
    public void Replaying_AFanOut_AnOutputThatDidNotGoThroughTheFailedStep_LeavesItFailed()
    {
        var log = new ExecutionLog(10);
        var split = new StepTiming("split", TimeSpan.FromMilliseconds(1));
        log.Add(Failure("e", "boom", split, new StepTiming("left", TimeSpan.FromMilliseconds(2))), T0);
        log.Replaying("e");
        log.Add(Event("e", FlowEventKind.HttpReply, split, new StepTiming("right", TimeSpan.FromMilliseconds(2))), T0);
        Assert.AreEqual(ExecutionStatus.Failed, log.Find("e")!.Status);

        log.Add(Event("e", FlowEventKind.Output, split, new StepTiming("left", TimeSpan.FromMilliseconds(2))), T0);
        Assert.AreEqual(ExecutionStatus.Replied, log.Find("e")!.Status, "the reply of the other branch still counts");
    }

    private static FlowEvent Failure(string executionId, string error, params StepTiming[] path) =>
        new(FlowEventKind.Error, "f", path[^1].StepId, executionId, null, error, path[^1].Elapsed, path);

    private static FlowEvent Body(string executionId, string step, string body) =>
        new(FlowEventKind.Output, "f", step, executionId, FlowMessage.Create(body), null, TimeSpan.Zero, [new StepTiming(step, TimeSpan.Zero)]);

    private static FlowEvent Output(string executionId, string step) =>
        Event(executionId, FlowEventKind.Output, new StepTiming(step, TimeSpan.FromMilliseconds(1)));

    private static FlowEvent Event(string executionId, FlowEventKind kind, params StepTiming[] path) =>
        new(kind, "f", path[^1].StepId, executionId, FlowMessage.Create("{}"), null, path[^1].Elapsed, path);
}
