using FlowActors.Client;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Steps;
using FlowActors.Grains;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace FlowActors.Tests.Storage;

/// <summary>
/// One activation per grain's state: a step whose state another activation wrote meanwhile (what two activations after a
/// silo's death do) finds its next write refused for its ETag; it must end that activation, so that the next one reads
/// what is stored and its writes succeed again, rather than carry on failing every write.
/// </summary>
[TestClass]
public sealed class StateConflictTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [TestMethod]
    public async Task StepWhoseStateAnotherActivationWrote_EndsItsActivation_AndItsStoredWindowAdvancesAgain()
    {
        await using var cluster = await FlowCluster.StartAsync(steps: o => o.DeduplicationSaveInterval = TimeSpan.FromMilliseconds(100));
        await cluster.DeployAsync("transform", SampleDeployments.Transform());
        await cluster.DeployAsync("echo", SampleDeployments.Echo());
        await using var flow = await cluster.StartRealtimeFlowAsync(FlowDefinition.Chain(
            "conflict", new StepDefinition("shout", "transform", "uppercase", """{"field":"name"}"""), new StepDefinition("answer", "echo", "echo")), Wait);
        var step = cluster.Client.GetGrain<IStepGrain>(FlowStreams.StepKey(flow.FlowId, "shout"));
        var storage = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);
        await SendAsync(cluster, flow, "before");
        var container = (await step.GetStatusAsync()).ContainerId;

        // Another activation of the step writes its state: the running one's ETag is now stale.
        var stored = new GrainState<StepState>();
        await storage.ReadStateAsync("step", step.GetGrainId(), stored);
        await storage.WriteStateAsync("step", step.GetGrainId(), stored);

        // The step goes on taking messages; the ids it completes after the conflict reach storage again.
        var after = new List<string>();
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            after.Add(await SendAsync(cluster, flow, $"after{after.Count}"));
            var read = new GrainState<StepState>();
            await storage.ReadStateAsync("step", step.GetGrainId(), read);
            if (read.State?.Completed?.Intersect(after).Any() == true)
            {
                break;
            }

            Assert.IsLessThan(deadline, DateTime.UtcNow,
                $"the step's stored window still holds none of the {after.Count} ids it completed after the conflict: its writes keep failing");
            await Task.Delay(50);
        }

        Assert.IsNotEmpty(cluster.Logs.Find("another activation wrote its state"), "the conflict ended the activation");
        var status = await cluster.Flow(flow.FlowId).GetStatusAsync();
        Assert.AreEqual(FlowLifecycle.Running, status.Lifecycle, status.Error);
        Assert.AreEqual(container, (await step.GetStatusAsync()).ContainerId, "the next activation adopted the container whose lease was stored");
        Assert.HasCount(2, await cluster.ContainersOfAsync(flow.FlowId), "no container was left behind");
        await cluster.Flow(flow.FlowId).StopAsync();
    }

    /// <summary>Sends a message and waits for its output; returns its id (the first step completes that id).</summary>
    private static async Task<string> SendAsync(FlowCluster cluster, RunningFlow flow, string name)
    {
        var message = FlowMessage.Create($$"""{"name":"{{name}}"}""");
        await cluster.Flow(flow.FlowId).SendAsync(message);
        await flow.Events.WaitForAsync(1, e => e.ExecutionId == message.ExecutionId, Wait);
        return message.Id;
    }
}
