using System.Text.Json;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Processes;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Flows;

/// <summary>Flows run end to end in both modes, against real component processes.</summary>
[TestClass]
public sealed class FlowExecutionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        // Long enough that no step of a 3-step ordinary flow goes idle before the message has left the last step.
        s_cluster = await FlowCluster.StartAsync(idleTimeout: TimeSpan.FromSeconds(3));
        await s_cluster.DeployAsync("transform", SampleDeployments.Transform());
        await s_cluster.DeployAsync("delay", SampleDeployments.Delay());
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    public async Task OrdinaryFlow_RunsAMessageThroughEveryStep_AndStopsItsContainersWhenIdle()
    {
        var flowId = await s_cluster.CreateFlowAsync(SampleFlows.ThreeSteps(), FlowMode.Ordinary);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        await s_cluster.Flow(flowId).StartAsync();
        Assert.AreEqual(FlowLifecycle.Running, (await s_cluster.Flow(flowId).GetStatusAsync()).Lifecycle);
        Assert.IsEmpty(await s_cluster.ContainersOfAsync(flowId), "an ordinary flow starts no container before data arrives");

        var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"name":"ada"}"""));
        var output = (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();

        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        Assert.AreEqual("answer", output.StepId);
        Assert.AreEqual("ADA", Field(output, "name"));
        var containers = await s_cluster.ContainersOfAsync(flowId);
        CollectionAssert.AreEquivalent(new[] { "shout", "lookup", "answer" }, containers.Select(c => c.Labels["flowactors.step"]).ToArray());

        CollectionAssert.AreEqual(new[] { "shout", "lookup", "answer" }, output.Path.Select(p => p.StepId).ToArray());

        // Idle activations deactivate and stop their containers.
        await ContainerProcesses.WaitForExitAsync(containers.Select(ContainerProcesses.Pid), s_cluster.IdleTimeout * 5);
        await s_cluster.WaitForNoContainersAsync(flowId, TimeSpan.FromSeconds(10));
    }

    [TestMethod]
    public async Task RealtimeFlow_WarmsUp_ServesHundredMessagesWithTheSameProcesses_AndStopsThem()
    {
        var flowId = await s_cluster.CreateFlowAsync(SampleFlows.ThreeSteps(), FlowMode.Realtime);
        await using var events = await s_cluster.SubscribeAsync(flowId);

        await s_cluster.Flow(flowId).StartAsync();
        var lifecycles = await s_cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait);
        CollectionAssert.AreEqual(new[] { FlowLifecycle.WarmingUp, FlowLifecycle.Running }, lifecycles.ToArray());
        var status = await s_cluster.Flow(flowId).GetStatusAsync();
        Assert.IsTrue(status.Steps.All(s => s.Phase == StepPhase.Ready && s.ContainerId is not null));
        var before = (await s_cluster.ContainersOfAsync(flowId)).Select(c => c.Id).Order().ToArray();
        Assert.HasCount(3, before);

        var executions = new HashSet<string>();
        for (var i = 0; i < 100; i++)
        {
            executions.Add(await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create($$"""{"name":"n{{i}}"}""")));
        }

        var outputs = await events.WaitForAsync(100, e => executions.Contains(e.ExecutionId), Wait);
        Assert.IsTrue(outputs.All(o => o.Kind == FlowEventKind.Output), string.Join("; ", outputs.Select(o => o.Error)));
        CollectionAssert.AreEquivalent(executions.ToArray(), outputs.Select(o => o.ExecutionId).ToArray());
        var after = (await s_cluster.ContainersOfAsync(flowId)).Select(c => c.Id).Order().ToArray();
        CollectionAssert.AreEqual(before, after, "the same processes serve every message");

        await s_cluster.Flow(flowId).StopAsync();
        Assert.AreEqual(FlowLifecycle.Stopped, (await s_cluster.Flow(flowId).GetStatusAsync()).Lifecycle);
        Assert.IsEmpty(await s_cluster.ContainersOfAsync(flowId));
        Assert.IsFalse(before.Select(ContainerProcesses.Pid).Any(ContainerProcesses.IsAlive), "stop ends the processes");
    }

    [TestMethod]
    public async Task RealtimeFlow_DeliversMessagesSentDuringWarmUp()
    {
        await s_cluster.DeployAsync("slow-start", SampleDeployments.Echo(warmUp: TimeSpan.FromSeconds(1)));
        var definition = FlowDefinition.Chain(
            "slow start",
            new StepDefinition("first", "slow-start", "echo"),
            new StepDefinition("second", "transform", "uppercase"));
        var flowId = await s_cluster.CreateFlowAsync(definition, FlowMode.Realtime);
        await using var events = await s_cluster.SubscribeAsync(flowId);

        await s_cluster.Flow(flowId).StartAsync();
        var executions = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            executions.Add(await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create($$"""{"name":"early{{i}}"}""")));
        }

        Assert.AreEqual(FlowLifecycle.WarmingUp, (await s_cluster.Flow(flowId).GetStatusAsync()).Lifecycle,
            "the messages were sent while the flow warmed up");
        var outputs = await events.WaitForAsync(20, e => executions.Contains(e.ExecutionId), Wait);
        Assert.IsTrue(outputs.All(o => o.Kind == FlowEventKind.Output), string.Join("; ", outputs.Select(o => o.Error)));
        CollectionAssert.AreEqual(executions, outputs.Select(o => o.ExecutionId).ToList(), "in the order they were sent");
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task RealtimeFlow_UnderABurst_DeliversEveryMessage_InOrderPerSender()
    {
        const int Senders = 8, PerSender = 250;
        var definition = FlowDefinition.Chain(
            "burst",
            new StepDefinition("first", "echo", "echo"),
            new StepDefinition("second", "transform", "uppercase", """{"field":"name"}"""),
            new StepDefinition("third", "echo", "echo"));
        await using var running = await s_cluster.StartRealtimeFlowAsync(definition, Wait);
        var (flowId, events) = running;

        var receiving = events.WaitForAsync(Senders * PerSender, _ => true, TimeSpan.FromSeconds(90)); // read while senders wait

        // Each sender sends in order; the senders run at once, so steps receive far more than one call's worth at a time.
        // 2,000 at once is past the flow's backlog (FlowActors:Flows:MaxInFlight, 1000): a refused sender waits as told
        // and sends the same message again, which keeps its order.
        var sending = Enumerable.Range(0, Senders).Select(sender => Task.Run(async () =>
        {
            for (var seq = 0; seq < PerSender; seq++)
            {
                var message = FlowMessage.Create($$"""{"name":"s{{sender}}","sender":{{sender}},"seq":{{seq}}}""");
                while (true)
                {
                    try
                    {
                        await s_cluster.Flow(flowId).SendAsync(message);
                        break;
                    }
                    catch (FlowBusyException busy)
                    {
                        await Task.Delay(busy.RetryAfter);
                    }
                }
            }
        }));
        await Task.WhenAll(sending);
        var outputs = await receiving;

        Assert.IsTrue(outputs.All(o => o.Kind == FlowEventKind.Output), string.Join("; ", outputs.Where(o => o.Error is not null).Take(3).Select(o => o.Error)));
        foreach (var bySender in outputs.Select(o => JsonDocument.Parse(o.Message!.Body).RootElement).GroupBy(b => b.GetProperty("sender").GetInt32()))
        {
            CollectionAssert.AreEqual(
                Enumerable.Range(0, PerSender).ToArray(),
                bySender.Select(b => b.GetProperty("seq").GetInt32()).ToArray(),
                $"sender {bySender.Key}'s messages arrive in the order it sent them");
            Assert.AreEqual($"S{bySender.Key}", bySender.First().GetProperty("name").GetString());
        }

        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task SetMode_WhileRunning_FailsSayingToStopFirst_AndSucceedsOnceStopped()
    {
        var flowId = await s_cluster.CreateFlowAsync(SampleFlows.ThreeSteps(), FlowMode.Ordinary);
        var flow = s_cluster.Flow(flowId);
        await flow.StartAsync();

        var refused = await Assert.ThrowsExactlyAsync<FlowStateException>(() => flow.SetModeAsync(FlowMode.Realtime));
        StringAssert.Contains(refused.Message, "Stop the flow first");
        Assert.AreEqual(FlowMode.Ordinary, (await flow.GetStatusAsync()).Mode);

        await flow.StopAsync();
        await flow.SetModeAsync(FlowMode.Realtime);
        Assert.AreEqual(FlowMode.Realtime, (await flow.GetStatusAsync()).Mode);
    }

    [TestMethod]
    public async Task SendAsync_ToAStoppedFlow_FailsSayingToStartIt()
    {
        var flowId = await s_cluster.CreateFlowAsync(SampleFlows.ThreeSteps(), FlowMode.Ordinary);

        var refused = await Assert.ThrowsExactlyAsync<FlowStateException>(
            () => s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("{}")));
        StringAssert.Contains(refused.Message, "Start the flow first");
    }

    internal static string? Field(FlowEvent e, string name) =>
        JsonDocument.Parse(e.Message!.Body).RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
}
