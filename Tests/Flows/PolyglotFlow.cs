using System.Text.Json;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Flows;

/// <summary>
/// One flow, three languages: a .NET component (transform), a Node.js one (Components/Node's greet sample) and a shell
/// one (Components/Shell, busybox). Each step leaves a mark the next one builds on, so the output proves all three ran,
/// in order: {"name":"ada"} → {"name":"ADA"} → {"name":"ADA","greeting":"Hi, ADA!"} → {"name":"ADA","greeting":"HI, ADA!"}.
/// </summary>
internal static class PolyglotFlow
{
    public static FlowDefinition Definition { get; } = FlowDefinition.Chain(
        "three languages",
        new StepDefinition("dotnet", "poly-transform", "uppercase", """{"field":"name"}"""),
        new StepDefinition("node", "poly-greet", "greet", """{"greeting":"Hi"}"""),
        new StepDefinition("shell", "poly-shell", "uppercase"));

    public static async Task DeployAsync(FlowCluster cluster)
    {
        await cluster.DeployAsync("poly-transform", SampleDeployments.Transform());
        await cluster.DeployAsync("poly-greet", SampleDeployments.NodeGreet());
        await cluster.DeployAsync("poly-shell", SampleDeployments.Shell());
    }

    /// <summary>Starts the flow in <paramref name="mode"/>, sends three messages, and checks every output.</summary>
    public static async Task RunAsync(FlowCluster cluster, FlowMode mode, TimeSpan wait)
    {
        var flowId = await cluster.CreateFlowAsync(Definition, mode);
        await using var events = await cluster.SubscribeAsync(flowId);
        await cluster.Flow(flowId).StartAsync();
        await cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, wait);

        string[] names = ["ada", "grace", "lin"];
        var executions = new List<string>();
        foreach (var name in names)
        {
            executions.Add(await cluster.Flow(flowId).SendAsync(FlowMessage.Create($$"""{"name":"{{name}}"}""")));
        }

        var outputs = await events.WaitForAsync(names.Length, e => executions.Contains(e.ExecutionId), wait);
        foreach (var output in outputs)
        {
            Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
            CollectionAssert.AreEqual(new[] { "dotnet", "node", "shell" }, output.Path.Select(s => s.StepId).ToArray());
        }

        CollectionAssert.AreEquivalent(
            names.Select(n => $$"""{"name":"{{n.ToUpperInvariant()}}","greeting":"HI, {{n.ToUpperInvariant()}}!"}""").ToArray(),
            outputs.Select(o => JsonSerializer.Serialize(JsonDocument.Parse(o.Message!.Body).RootElement)).ToArray());
        await cluster.Flow(flowId).StopAsync();
        await cluster.WaitForNoContainersAsync(flowId, wait);
    }
}

/// <summary>The three-language flow on local processes: dotnet, node and busybox started by the silo.</summary>
[TestClass]
public sealed class PolyglotFlowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync();
        await PolyglotFlow.DeployAsync(s_cluster);
    }

    [ClassCleanup]
    public static async Task StopAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    public Task DotnetNodeAndShellComponents_RealtimeFlow_OnLocalProcesses() => PolyglotFlow.RunAsync(s_cluster, FlowMode.Realtime, Wait);

    [TestMethod]
    public Task DotnetNodeAndShellComponents_OrdinaryFlow_OnLocalProcesses() => PolyglotFlow.RunAsync(s_cluster, FlowMode.Ordinary, Wait);
}
