using FlowActors.Client;

namespace FlowActors.Tests.Flows;

/// <summary>Flow definitions the flow tests share.</summary>
internal static class SampleFlows
{
    /// <summary>shout (uppercase name) → lookup (5 ms delay) → answer (echo).</summary>
    public static FlowDefinition ThreeSteps(string transform = "transform") => FlowDefinition.Chain(
        "three steps",
        new StepDefinition("shout", transform, "uppercase", """{"field":"name"}"""),
        new StepDefinition("lookup", "delay", "delay", """{"ms":5}"""),
        new StepDefinition("answer", "echo", "echo"));

    /// <summary>before (echo) → check (faulty) → after (echo).</summary>
    public static FlowDefinition WithFaultyStep() => FlowDefinition.Chain(
        "faulty in the middle",
        new StepDefinition("before", "echo", "echo"),
        new StepDefinition("check", "faulty", "maybeFail"),
        new StepDefinition("after", "echo", "echo"));
}
