using FlowActors.Grains;
using FlowActors.Containers;
using FlowActors.Grains.Hosting;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Steps;
using FlowActors.Streaming;

namespace FlowActors.Silo.Hosting;

/// <summary>
/// The embedded profile: one silo on loopback, in-memory storage and streams, components as local
/// processes (or Docker, with <c>FlowActors:Containers:Kind</c>). What <c>dotnet run --project Silo</c> runs,
/// and what the tests run against.
/// </summary>
public static class EmbeddedProfile
{
    /// <summary>Storage, streams and grain services of the embedded profile (clustering is the caller's).</summary>
    public static ISiloBuilder UseEmbeddedProfile(this ISiloBuilder silo, Action<StepOptions>? configureSteps = null)
    {
        silo.AddMemoryGrainStorage(StorageNames.Grains)
            .AddMemoryGrainStorage(StorageNames.PubSub)
            .AddFlowStreams()
            .AddFlowActors(configureSteps);
        silo.Services.AddFlowActorsContainerRuntime(silo.Configuration);
        if (string.IsNullOrEmpty(silo.Configuration[$"{ContainerRuntimeOptions.SectionName}:Kind"]))
        {
            // A laptop may run a Docker engine without the component images: local processes unless asked otherwise.
            silo.Services.Configure<ContainerRuntimeOptions>(o => o.Kind = ContainerRuntimeKind.Process);
        }

        return silo;
    }

    /// <summary>
    /// The stream provider flows use, as <c>FlowActors:Streams</c> says (the SDK reads the same section): fast
    /// streams by default, whose reads wake on enqueue instead of polling (see docs/performance.md).
    /// </summary>
    public static ISiloBuilder AddFlowStreams(this ISiloBuilder silo) => silo.AddFlowStreams(FlowStreams.Provider, silo.Configuration);

    /// <summary>What a client of this profile needs to send to and follow flows.</summary>
    public static IClientBuilder AddFlowStreams(this IClientBuilder client) => client.AddFlowStreams(FlowStreams.Provider, client.Configuration);
}
