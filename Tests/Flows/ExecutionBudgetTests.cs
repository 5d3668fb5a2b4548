using System.Diagnostics;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Steps;

namespace FlowActors.Tests.Flows;

/// <summary>
/// How a step spends an execution's budget of step calls (FlowActors:Flows:MaxMessagesPerExecution) when it routes what
/// its component emitted: what is left after its own call is split among its outputs, and outputs that cannot be
/// covered are not sent on but reported as an error of the step.
/// </summary>
[TestClass]
public sealed class ExecutionBudgetTests
{
    private const int Budget = 10;

    [TestMethod]
    public void AStartingMessage_GetsTheWholeBudget_SplitAmongItsOutputs()
    {
        var outputs = Route(Plan(1), FlowMessage.Create("[]"), count: 3);

        Assert.IsEmpty(outputs.Events);
        // 10 less this call is 9: three each.
        CollectionAssert.AreEqual(new int?[] { 3, 3, 3 }, outputs.Next.Select(m => m.Budget).ToArray());
    }

    [TestMethod]
    public void Shares_AddUpToWhatIsLeft_AndNeverToMore()
    {
        var outputs = Route(Plan(1), FlowMessage.Create("[]") with { Budget = 8 }, count: 3);

        CollectionAssert.AreEqual(new int?[] { 3, 2, 2 }, outputs.Next.Select(m => m.Budget).ToArray());
    }

    [TestMethod]
    public void OutputsOverWhatIsLeft_AreAnErrorNamingTheStep_AndNoneIsSentOn()
    {
        // Two next steps, the second causing 3 calls per message: each output needs 4; 3 outputs need 12 > 9.
        var outputs = Route(Plan(1, 3), FlowMessage.Create("[]"), count: 3);

        Assert.IsEmpty(outputs.Next);
        var error = outputs.Events.Single();
        Assert.AreEqual(FlowEventKind.Error, error.Kind);
        StringAssert.Contains(error.Error, "Step 'split'");
        StringAssert.Contains(error.Error, "FlowActors:Flows:MaxMessagesPerExecution");
    }

    [TestMethod]
    public void AMessageClaimingMoreThanTheBudget_GetsNoMoreThanTheBudget()
    {
        var outputs = Route(Plan(1), FlowMessage.Create("[]") with { Budget = int.MaxValue }, count: 10);

        Assert.AreEqual(FlowEventKind.Error, outputs.Events.Single().Kind);
    }

    [TestMethod]
    public void ALastStep_SpendsItsShareOnOutputs_OneEach_ItsCallCountingAsItsOutputs()
    {
        var one = Route(Plan(), FlowMessage.Create("[]") with { Budget = 1 }, count: 1);
        var eight = Route(Plan(), FlowMessage.Create("[]") with { Budget = 8 }, count: 8);
        var over = Route(Plan(), FlowMessage.Create("[]") with { Budget = 8 }, count: 9);

        Assert.AreEqual(FlowEventKind.Output, one.Events.Single().Kind, "a share of one covers a call and its one output, as validation assumes");
        Assert.HasCount(8, eight.Events);
        Assert.IsTrue(eight.Events.All(e => e.Kind == FlowEventKind.Output));
        Assert.AreEqual(FlowEventKind.Error, over.Events.Single().Kind);
        StringAssert.Contains(over.Events.Single().Error, "9 outputs");
    }

    private static StepPlan Plan(params int[] nextStepCalls) => new(
        "flow", "run", FlowMode.Realtime, new StepDefinition("split", "echo", "split"),
        [.. nextStepCalls.Select((_, i) => $"next{i}")], null, nextStepCalls);

    private static StepOutputs Route(StepPlan plan, FlowMessage message, int count)
    {
        var outputs = new StepOutputs("flow", "split", maxMessagesPerExecution: Budget);
        var emits = Enumerable.Range(0, count).Select(i => Emit.Data(JsonDocument.Parse($"{i}").RootElement)).ToArray();
        outputs.Add(plan, message, emits, Stopwatch.GetTimestamp());
        return outputs;
    }
}
