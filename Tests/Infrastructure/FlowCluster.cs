using FlowActors.Client.Events;
using FlowActors.Grains.Containers;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace FlowActors.Tests.Infrastructure;

/// <summary>
/// A one-silo in-process cluster in the embedded profile (memory storage and streams, components as
/// real local processes), with short timeouts so that idle and failure paths finish quickly.
/// </summary>
public sealed class FlowCluster : IAsyncDisposable
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan InvokeTimeout = TimeSpan.FromSeconds(2);

    private FlowCluster(InProcessTestCluster cluster) => Cluster = cluster;

    public InProcessTestCluster Cluster { get; }

    public IClusterClient Client => Cluster.Client;

    /// <summary>The silo's container runtime, to see which containers (processes) exist.</summary>
    public IContainerRuntime Runtime => Cluster.Silos[0].ServiceProvider.GetRequiredService<IContainerRuntime>();

    public static async Task<FlowCluster> StartAsync()
    {
        var builder = new InProcessTestClusterBuilder();
        builder.ConfigureSilo((_, silo) => silo.UseEmbeddedProfile(steps =>
        {
            steps.IdleTimeout = IdleTimeout;
            steps.InvokeTimeout = InvokeTimeout;
            steps.StartTimeout = TimeSpan.FromSeconds(30);
        }));
        builder.ConfigureClient(client => client.AddFlowStreams());
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new FlowCluster(cluster);
    }

    public IFlowGrain Flow(string flowId) => Client.GetGrain<IFlowGrain>(flowId);

    public Task<ComponentRevision> DeployAsync(string componentId, ComponentDeployment deployment) =>
        Client.GetGrain<IComponentGrain>(componentId).DeployAsync(deployment);

    /// <summary>Saves, publishes and sets the mode of a flow with a fresh id; returns the id.</summary>
    public async Task<string> CreateFlowAsync(FlowDefinition definition, FlowMode mode)
    {
        var flowId = $"f{Guid.NewGuid():N}"[..20];
        var flow = Flow(flowId);
        await flow.SaveDraftAsync(definition);
        await flow.PublishAsync();
        await flow.SetModeAsync(mode);
        return flowId;
    }

    public Task<FlowEventSubscription> SubscribeAsync(string flowId) => FlowEventSubscription.SubscribeAsync(Client, flowId);

    /// <summary>The containers (processes) of one flow, as the runtime lists them.</summary>
    public Task<IReadOnlyList<ContainerInfo>> ContainersOfAsync(string flowId) =>
        Runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Flow] = flowId }, CancellationToken.None);

    /// <summary>Waits (bounded) until the flow reaches <paramref name="lifecycle"/>; returns the statuses seen on the way.</summary>
    public async Task<IReadOnlyList<FlowLifecycle>> WaitForLifecycleAsync(string flowId, FlowLifecycle lifecycle, TimeSpan timeout)
    {
        var seen = new List<FlowLifecycle>();
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var status = await Flow(flowId).GetStatusAsync();
            if (seen.Count == 0 || seen[^1] != status.Lifecycle)
            {
                seen.Add(status.Lifecycle);
            }

            if (status.Lifecycle == lifecycle)
            {
                return seen;
            }

            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"Flow {flowId} did not reach {lifecycle} within {timeout}; it went through {string.Join(" → ", seen)}. Error: {status.Error}");
            }

            await Task.Delay(10, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
