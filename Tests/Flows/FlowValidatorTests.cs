using FlowActors.Client;
using FlowActors.Grains.Flows;

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
    [DataRow("tab\there")]
    [DataRow("line\nbreak")]
    [DataRow("escape\u001b[31mred")]
    [DataRow("del\u007f")]
    [DataRow("next\u0085line")]
    [DataRow("para\u2029graph")]
    [DataRow("bidi \u202egnp.exe")]
    [DataRow("isolate \u2066x")]
    public void FlowName_ThatDoesNotPrint_IsRefused_NamingTheField(string name)
    {
        var errors = FlowValidator.Validate(new FlowDefinition(name, [Step("a")], []), Components);

        Assert.AreEqual("name", errors.Single().Field);
        StringAssert.Contains(errors.Single().Message, "does not print");
    }

    [TestMethod]
    public void FlowName_WithALoneSurrogate_IsRefused()
    {
        // Built in code: an attribute's strings are stored as UTF-8, which has no lone surrogates.
        foreach (var name in new[] { "lone " + '\ud800' + " high", "ends with " + '\udc00', "pair reversed " + '\udc00' + '\ud800' })
        {
            var errors = FlowValidator.Validate(new FlowDefinition(name, [Step("a")], []), Components);

            Assert.AreEqual("name", errors.Single().Field, name);
        }
    }

    [TestMethod]
    public void FlowName_IsBoundedInLength()
    {
        Assert.IsEmpty(FlowValidator.Validate(new FlowDefinition(new string('n', FlowValidator.MaxNameLength), [Step("a")], []), Components));

        var errors = FlowValidator.Validate(new FlowDefinition(new string('n', 500_000), [Step("a")], []), Components);

        Assert.AreEqual("name", errors.Single().Field);
        StringAssert.Contains(errors.Single().Message, $"at most {FlowValidator.MaxNameLength}");
    }

    [TestMethod]
    [DataRow("Orders → ERP")]
    [DataRow("Café \U0001F680 rocket")]
    [DataRow("שלום orders")]
    [DataRow("注文")]
    public void FlowName_InAnyScript_WithEmoji_IsValid(string name) =>
        Assert.IsEmpty(FlowValidator.Validate(new FlowDefinition(name, [Step("a")], []), Components));

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

    [TestMethod]
    public void FanOutBomb_IsRefused_NamingTheLimit()
    {
        var (steps, edges) = Layered(layers: 14, width: 2); // one message → 16,384 outputs at the last layer

        var error = FlowValidator.Validate(new FlowDefinition("bomb", steps, edges), Components).Single();

        Assert.AreEqual("edges", error.Field);
        StringAssert.Contains(error.Message, "more than 1000 step calls");
        StringAssert.Contains(error.Message, "FlowActors:Flows:MaxMessagesPerExecution");
    }

    [TestMethod]
    public void FanOut_IsCountedAlongEveryPath_UpToTheLimit()
    {
        var (steps, edges) = Layered(layers: 3, width: 3); // 1 + 3 + 9 + 27 = 40 calls: three wide at every layer, all connected
        var definition = new FlowDefinition("wide", steps, edges);
        var graph = FlowGraph.Create(definition);

        Assert.AreEqual(40, FlowValidator.StepCallsPerMessage(graph, "entry", cap: 1000));
        Assert.IsEmpty(FlowValidator.Validate(definition, Components, maxMessagesPerExecution: 40));
        Assert.AreEqual("edges", FlowValidator.Validate(definition, Components, maxMessagesPerExecution: 39).Single().Field);
    }

    [TestMethod]
    public void TheLargestBomb_IsCountedQuickly_WithoutOverflow()
    {
        var (steps, edges) = Layered(layers: 49, width: 2); // 99 steps, 2^50 - 1 paths

        var graph = FlowGraph.Create(new FlowDefinition("bomb", steps, edges));

        Assert.AreEqual(1001, FlowValidator.StepCallsPerMessage(graph, "entry", cap: 1001));
        Assert.AreEqual((1L << 50) - 1, FlowValidator.StepCallsPerMessage(graph, "entry", cap: long.MaxValue));
    }

    [TestMethod]
    public void LongIds_AreQuotedShort_InMessages()
    {
        var id = new string('x', 400_000);

        var error = Validate([Step(id)]).First();

        Assert.IsLessThan(200, error.Message.Length, "the 400 KB id is not sent back");
        StringAssert.Contains(error.Message, "xxxx…");
    }

    /// <summary>An entry step, then <paramref name="layers"/> layers of <paramref name="width"/> steps, each step linked to every step of the next layer.</summary>
    internal static (StepDefinition[] Steps, FlowEdge[] Edges) Layered(int layers, int width)
    {
        var steps = new List<StepDefinition> { new("entry", "echo", "echo") };
        var edges = new List<FlowEdge>();
        string[] previous = ["entry"];
        for (var layer = 0; layer < layers; layer++)
        {
            var current = Enumerable.Range(0, width).Select(i => $"l{layer}-{i}").ToArray();
            steps.AddRange(current.Select(id => new StepDefinition(id, "echo", "echo")));
            edges.AddRange(previous.SelectMany(from => current.Select(to => new FlowEdge(from, to))));
            previous = current;
        }

        return (steps.ToArray(), edges.ToArray());
    }
}
