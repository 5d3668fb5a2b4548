using FlowActors.Client;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Steps;

namespace FlowActors.Tests.Flows;

/// <summary>What a step may ask for (<c>concurrency</c>, <c>keepOrder</c>) and what it gets.</summary>
[TestClass]
public sealed class StepConcurrencyRulesTests
{
    private static readonly Dictionary<string, ComponentDescriptor?> Components = new()
    {
        ["api"] = new ComponentDescriptor([], ["call"]),
        ["pool"] = new ComponentDescriptor([], ["call"], MaxConcurrency: 4),
    };

    private static IReadOnlyList<ValidationError> Validate(StepDefinition step) =>
        FlowValidator.Validate(new FlowDefinition("flow", [step], []), Components);

    [TestMethod]
    [DataRow(0)]
    [DataRow(-1)]
    [DataRow(StepDefinition.ConcurrencyLimit + 1)]
    public void Concurrency_OutOfRange_IsRefused_SayingWhatIsExpected(int concurrency)
    {
        var error = Validate(new StepDefinition("a", "api", "call", Concurrency: concurrency)).Single();

        Assert.AreEqual("steps[0].concurrency", error.Field);
        StringAssert.Contains(error.Message, $"from 1 to {StepDefinition.ConcurrencyLimit}; it is {concurrency}");
    }

    [TestMethod]
    public void Concurrency_WithKeepOrder_IsRefused_AsOneAtATimeIsWhatKeepOrderMeans()
    {
        var error = Validate(new StepDefinition("a", "api", "call", Concurrency: 8, KeepOrder: true)).Single();

        Assert.AreEqual("steps[0].concurrency", error.Field);
        StringAssert.Contains(error.Message, "keepOrder means one message at a time");
        Assert.IsEmpty(Validate(new StepDefinition("a", "api", "call", Concurrency: 1, KeepOrder: true)));
    }

    [TestMethod]
    public void Concurrency_AboveWhatTheComponentDeclares_IsRefused_NamingTheMost()
    {
        var error = Validate(new StepDefinition("a", "pool", "call", Concurrency: 5)).Single();

        Assert.AreEqual("steps[0].concurrency", error.Field);
        StringAssert.Contains(error.Message, "accepts at most 4 messages at once");
        Assert.IsEmpty(Validate(new StepDefinition("a", "pool", "call", Concurrency: 4)));
    }

    [TestMethod]
    public void Resolved_IsTheStepsOrTheDefault_OneWhenKeepingOrder_NeverAboveTheComponentOrABatch()
    {
        var options = new StepOptions { DefaultConcurrency = 16, MaxBatchSize = 128 };

        Assert.AreEqual(16, StepInvoker.ResolveConcurrency(null, keepOrder: false, componentMost: null, options));
        Assert.AreEqual(64, StepInvoker.ResolveConcurrency(64, keepOrder: false, componentMost: null, options));
        Assert.AreEqual(1, StepInvoker.ResolveConcurrency(64, keepOrder: true, componentMost: null, options));
        Assert.AreEqual(4, StepInvoker.ResolveConcurrency(null, keepOrder: false, componentMost: 4, options));
        Assert.AreEqual(128, StepInvoker.ResolveConcurrency(256, keepOrder: false, componentMost: null, options));
    }
}
