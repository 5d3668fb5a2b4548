using FlowActors.Containers;
using FlowActors.Grains;
using FlowActors.Grains.Hosting;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Steps;
using FlowActors.Silo.Secrets;
using FlowActors.Storage.Sqlite;
using FlowActors.Streaming;
using FlowActors.Silo.Webhooks.Replay;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Hosting;

/// <summary>
/// The embedded profile: one silo on loopback, grain state in a SQLite file in the silo's data folder (what a
/// user creates survives a restart, with nothing to install), fast streams and reminders in memory (a silo start wakes
/// the running flows, which register their reminders again), components as local processes (or Docker, with
/// <c>FlowActors:Containers:Kind</c>), the key ring that seals stored secrets in <c>keys/</c> beside the database. What
/// <c>dotnet run --project Silo</c> runs.
/// </summary>
public static class EmbeddedProfile
{
    /// <summary>The database file's name in the data folder (<see cref="SiloHostOptions.DataFolder"/>).</summary>
    public const string DatabaseFile = "flowactors.db";

    /// <summary>Tunables of the SQLite storage (<see cref="SqliteGrainStorageOptions"/>): Synchronous, BusyTimeout, DatabasePath.</summary>
    public const string StorageSection = "FlowActors:Storage";

    /// <summary>Storage, streams and grain services of the embedded profile (clustering is the caller's).</summary>
    public static ISiloBuilder UseEmbeddedProfile(this ISiloBuilder silo, Action<StepOptions>? configureSteps = null)
    {
        var configuration = silo.Configuration;
        silo.AddSqliteGrainStorage(StorageNames.Grains, options => options
                .Bind(configuration.GetSection(StorageSection))
                .Configure<IHostEnvironment>((o, environment) =>
                {
                    if (string.IsNullOrWhiteSpace(o.DatabasePath))
                    {
                        var host = configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
                        o.DatabasePath = Path.Combine(host.DataFolderPath(environment.ContentRootPath), DatabaseFile);
                    }
                }))
            // Only clients subscribe explicitly (grains subscribe implicitly, again at every activation), and a client
            // of this one-silo cluster loses its connection and its subscriptions with the silo: memory is exactly as
            // durable as what it stores.
            .AddMemoryGrainStorage(StorageNames.PubSub)
            // Reminders in memory: a silo start wakes the running flows (RunningFlowsResumption), which tell their
            // triggers, which register their reminders again.
            .UseInMemoryReminderService()
            .AddFlowStreams()
            .AddFlowActors(configureSteps);
        silo.Services.AddRunningFlowsResumption();
        silo.Services.AddSingleton<IReplayGuard, SqliteReplayGuard>(); // in the same database file

        // The key ring that seals stored secrets, beside the database it protects (silos sharing the file share it too).
        silo.Services.AddKeyRingFolder(services => Path.Combine(
            Path.GetDirectoryName(Path.GetFullPath(services.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(StorageNames.Grains).DatabasePath))!,
            KeyRingHostingExtensions.FolderName));
        silo.Services.AddFlowActorsContainerRuntime(configuration);
        if (string.IsNullOrEmpty(configuration[$"{ContainerRuntimeOptions.SectionName}:Kind"]))
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
