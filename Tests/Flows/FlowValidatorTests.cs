using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Flows;

namespace FlowActors.Tests.Flows;

/// <summary>Each rule of flow validation names the field at fault.</summary>
[TestClass]
public sealed class FlowValidatorTests
{
    private static readonly Dictionary<string, ComponentDescriptor?> Components = new()
    {
        ["transform"] = new ComponentDescriptor([], ["uppercase"]),
        ["echo"] = new ComponentDescriptor(["webhook"], ["echo"]),
    };

    private static StepDefinition Step(string id, string component = "echo", string action = "echo", string? configuration = null) =>
        new(id, component, action, configuration);

    private static IReadOnlyList<ValidationError> Validate(IReadOnlyList<StepDefinition> steps, params FlowEdge[] edges) =>
        FlowValidator.Validate(new FlowDefinition("flow", steps, edges), Components);

    [TestMethod]
    public void Chain_and_fan_out_are_valid()
    {
        Assert.IsEmpty(Validate([Step("a", action: "webhook"), Step("b"), Step("c", "transform", "uppercase")], new("a", "b"), new("a", "c")));
    }

    [TestMethod]
    public void RetryPolicyThatCannotWork_IsRefused_NamingTheFlowOrStepField()
    {
        var step = Step("b") with { Delivery = new(MaxAttempts: 0) };
        var definition = new FlowDefinition("flow", [Step("a"), step], [new("a", "b")],
            new(FirstRetryDelay: TimeSpan.FromSeconds(2), MaxRetryDelay: TimeSpan.FromSeconds(1)));

        var errors = FlowValidator.Validate(definition, Components);

        CollectionAssert.AreEquivalent(new[] { "delivery.maxRetryDelay", "steps[1].delivery.maxAttempts" }, errors.Select(e => e.Field).ToArray());
        StringAssert.Contains(errors.Single(e => e.Field == "steps[1].delivery.maxAttempts").Message, "from 1 to 100");
    }

    [TestMethod]
    public void UnknownComponent_IsNamedWithItsStep()
    {
        var error = Validate([Step("a", component: "crm")]).Single();
        Assert.AreEqual("steps[0].componentId", error.Field);
        StringAssert.Contains(error.Message, "'crm'");
        StringAssert.Contains(error.Message, "Deploy the component first");
    }

    [TestMethod]
    public void UnknownAction_ListsWhatTheComponentOffers()
    {
        var error = Validate([Step("a", "transform", "lowercase")]).Single();
        Assert.AreEqual("steps[0].action", error.Field);
        StringAssert.Contains(error.Message, "'uppercase'");
    }

    [TestMethod]
    public void NoEntryStep_IsRefused()
    {
        var errors = Validate([Step("a"), Step("b")], new("a", "b"), new("b", "a"));
        Assert.AreEqual("edges", errors.Single().Field);
        StringAssert.Contains(errors.Single().Message, "no entry step");
    }

    [TestMethod]
    public void Cycle_IsShownAsAPath()
    {
        var errors = Validate([Step("a"), Step("b"), Step("c")], new("a", "b"), new("b", "c"), new("c", "b"));
        Assert.AreEqual("edges", errors.Single().Field);
        StringAssert.Contains(errors.Single().Message, "b → c → b");
    }

    [TestMethod]
    public void DuplicateAndEmptyStepIds_AreRefused()
    {
        var errors = Validate([Step("a"), Step("a"), Step("")]);
        CollectionAssert.AreEquivalent(new[] { "steps[1].id", "steps[2].id" }, errors.Select(e => e.Field).ToArray());
    }

    [TestMethod]
    public void DanglingEdge_NamesTheMissingStep()
    {
        var error = Validate([Step("a")], new FlowEdge("a", "ghost")).Single();
        Assert.AreEqual("edges[0].to", error.Field);
        StringAssert.Contains(error.Message, "'ghost'");
    }

    [TestMethod]
    public void OversizedConfiguration_IsRefused()
    {
        var big = $$"""{"blob":"{{new string('x', FlowValidator.MaxConfigurationBytes)}}"}""";
        var error = Validate([Step("a", configuration: big)]).Single();
        Assert.AreEqual("steps[0].configuration", error.Field);
        StringAssert.Contains(error.Message, "at most");
    }

    [TestMethod]
    [DataRow("[1,2]", "JSON object")]
    [DataRow("{\"a\":", "not valid JSON")]
    public void ConfigurationThatIsNotAJsonObject_IsRefused(string configuration, string expected)
    {
        var error = Validate([Step("a", configuration: configuration)]).Single();
        Assert.AreEqual("steps[0].configuration", error.Field);
        StringAssert.Contains(error.Message, expected);
    }

    [TestMethod]
    public void NoSteps_IsRefused()
    {
        Assert.AreEqual("steps", Validate([]).Single().Field);
    }
}
