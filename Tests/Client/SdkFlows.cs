using FlowActors.Client;
using FlowActors.Silo.Samples;

namespace FlowActors.Tests.Client;

/// <summary>Sample components and flows the SDK and API tests share.</summary>
internal static class SdkFlows
{
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    public static async Task DeploySamplesAsync(IFlowActorsClient client)
    {
        await client.DeployComponentAsync("transform", SampleDeployments.Transform());
        await client.DeployComponentAsync("delay", SampleDeployments.Delay());
        await client.DeployComponentAsync("echo", SampleDeployments.Echo());
        await client.DeployComponentAsync("faulty", SampleDeployments.Faulty());
    }

    /// <summary>shout (uppercase name) → answer (echo).</summary>
    public static FlowDefinition Shout() => FlowDefinition.Chain(
        "shout",
        new StepDefinition("shout", "transform", "uppercase", """{"field":"name"}"""),
        new StepDefinition("answer", "echo", "echo"));

    /// <summary>shout (uppercase name) → reply (answers the webhook with the body).</summary>
    public static FlowDefinition ShoutAndReply() => FlowDefinition.Chain(
        "shout and reply",
        new StepDefinition("shout", "transform", "uppercase", """{"field":"name"}"""),
        new StepDefinition("reply", "echo", "reply"));

    /// <summary>Saves, publishes, sets the mode and starts a new flow; waits until it runs.</summary>
    public static async Task<string> StartAsync(IFlowActorsClient client, FlowDefinition definition, FlowMode mode, string prefix = "f")
    {
        var flowId = NewId(prefix);
        await client.SaveDraftAsync(flowId, definition);
        await client.PublishAsync(flowId);
        await client.SetModeAsync(flowId, mode);
        await client.StartAsync(flowId);
        await client.WaitUntilRunningAsync(flowId, TimeSpan.FromSeconds(30));
        return flowId;
    }
}
