using FlowActors.Client;
using FlowActors.Client.Events;
using FlowActors.Client.Hosting;
using FlowActors.Containers;
using FlowActors.Containers.Leases;
using FlowActors.Grains;
using FlowActors.Grains.Delivery;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Steps;
using FlowActors.Silo.Hosting;
using FlowActors.Storage.Sqlite;
using FlowActors.TestSupport.Silos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace FlowActors.Tests.Infrastructure;

/// <summary>
/// A one-silo in-process cluster in the embedded profile (grain state in a SQLite file of its own, fast streams,
/// components as real local processes, mutual TLS with the embedded certificates), with short timeouts so that idle and
/// failure paths finish quickly.
/// </summary>
internal sealed class FlowCluster : IAsyncDisposable
{
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan InvokeTimeout = TimeSpan.FromSeconds(2);

    private readonly string _dataFolder;

    private FlowCluster(InProcessTestCluster cluster, TimeSpan idleTimeout, string dataFolder, SiloLogs logs)
    {
        Cluster = cluster;
        IdleTimeout = idleTimeout;
        _dataFolder = dataFolder;
        Logs = logs;
    }

    public InProcessTestCluster Cluster { get; }

    /// <summary>What the silos logged (FlowActors' categories, Debug and above).</summary>
    public SiloLogs Logs { get; }

    /// <summary>How long an ordinary step's activation (and its container) outlives its last message.</summary>
    public TimeSpan IdleTimeout { get; }

    public IClusterClient Client => Cluster.Client;

    /// <summary>The container runtimes of every silo, to see which containers (processes) exist.</summary>
    public IEnumerable<IContainerRuntime> Runtimes => Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<IContainerRuntime>());

    /// <param name="configure">Applied after the embedded profile, e.g. to choose the Docker runtime.</param>
    /// <param name="steps">Applied after the cluster's step timings.</param>
    /// <param name="tls">
    /// Mutual TLS between the silos and the client, as the Silo runs. Off only for tests that kill a silo: Orleans'
    /// in-memory test transport cannot abort a connection that TLS wraps (its abort cancels the outer pipe, not the write
    /// the TLS stream waits on), so a survivor would wait for ever on a write to the dead silo. Real sockets close;
    /// killing a real silo process with TLS is tested against the Azure profile.
    /// </param>
    /// <param name="reconcilePeriod">
    /// How often running real-time flows re-check their steps (their reminder); Orleans' minimum reminder period is
    /// lowered to match. Production's default (1 minute) when null.
    /// </param>
    public static async Task<FlowCluster> StartAsync(
        short silos = 1,
        TimeSpan? idleTimeout = null,
        Action<ISiloBuilder>? configure = null,
        Action<StepOptions>? steps = null,
        TimeSpan? reconcilePeriod = null,
        bool tls = true)
    {
        var idle = idleTimeout ?? DefaultIdleTimeout;
        var logs = new SiloLogs();

        // The silos share one database file, as silos of one machine would; each cluster starts from nothing.
        var dataFolder = Directory.CreateTempSubdirectory("flowactors-cluster-").FullName;
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseEmbeddedProfile(options =>
            {
                options.IdleTimeout = idle;
                options.InvokeTimeout = InvokeTimeout;
                options.StartTimeout = TimeSpan.FromSeconds(30);
                options.ColdStartTimeout = TimeSpan.FromSeconds(20);

                // Retries as production makes them, on a shorter clock: a failing call is tried 3 times in well under a second.
                options.Retry = new StepRetryOptions { MaxAttempts = 3, FirstRetryDelay = TimeSpan.FromMilliseconds(50), MaxRetryDelay = TimeSpan.FromMilliseconds(400) };
                steps?.Invoke(options);
            });
            if (tls)
            {
                silo.UseClusterTls(TestCertificates.Silo);
            }

            if (reconcilePeriod is { } period)
            {
                silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = period);
                silo.Services.Configure<FlowOptions>(o => o.ReconcilePeriod = period);
            }

            silo.Services.Configure<SqliteGrainStorageOptions>(StorageNames.Grains, o => o.DatabasePath = Path.Combine(dataFolder, EmbeddedProfile.DatabaseFile));
            configure?.Invoke(silo);
        });
        builder.ConfigureSiloHost((_, host) => host.Logging.AddProvider(logs).AddFilter<SiloLogs>("FlowActors", LogLevel.Debug));
        builder.ConfigureClient(client =>
        {
            client.AddFlowStreams();
            if (tls)
            {
                client.UseClusterTls(TestCertificates.Client);
            }
        });
        if (Environment.GetEnvironmentVariable("FLOWACTORS_TEST_LOGS") == "1")
        {
            // Silo logs on the console, for a failing test run by hand.
            builder.ConfigureSiloHost((_, host) => host.Logging.AddSimpleConsole(o => o.SingleLine = true).AddFilter("Orleans", LogLevel.Warning));
        }
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new FlowCluster(cluster, idle, dataFolder, logs);
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

    /// <summary>
    /// Creates a real-time flow, follows its events, starts it and waits until it runs. Disposing the result
    /// ends the subscription; stopping the flow is the test's business.
    /// </summary>
    public async Task<RunningFlow> StartRealtimeFlowAsync(FlowDefinition definition, TimeSpan timeout)
    {
        var flowId = await CreateFlowAsync(definition, FlowMode.Realtime);
        var events = await SubscribeAsync(flowId);
        await Flow(flowId).StartAsync();
        await WaitForLifecycleAsync(flowId, FlowLifecycle.Running, timeout);
        return new RunningFlow(flowId, events);
    }

    public Task<FlowEventSubscription> SubscribeAsync(string flowId) => FlowEventSubscription.SubscribeAsync(Client, flowId);

    /// <summary>The containers (processes) of one flow, as the runtime lists them.</summary>
    public async Task<IReadOnlyList<ContainerInfo>> ContainersOfAsync(string flowId)
    {
        var labels = new Dictionary<string, string> { [ContainerLabels.Flow] = flowId };
        var lists = await Task.WhenAll(Runtimes.Select(r => r.ListAsync(labels, CancellationToken.None)));
        return lists.SelectMany(l => l).ToArray();
    }

    /// <summary>Waits (bounded) until the runtimes list no container of the flow: a stop has finished once it is forgotten.</summary>
    public async Task WaitForNoContainersAsync(string flowId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while ((await ContainersOfAsync(flowId)).Count > 0)
        {
            if (cts.IsCancellationRequested)
            {
                Assert.Fail($"Flow {flowId} still had containers {timeout.TotalSeconds:0.#} s later.");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

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

    /// <summary>Waits (bounded) until the flow's status satisfies <paramref name="condition"/>; fails saying what it waited for.</summary>
    public async Task<FlowStatus> WaitForStatusAsync(string flowId, Func<FlowStatus, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var status = await Flow(flowId).GetStatusAsync();
            if (condition(status))
            {
                return status;
            }

            if (cts.IsCancellationRequested)
            {
                Assert.Fail($"Flow {flowId}: {what} did not happen within {timeout.TotalSeconds:0.#} s. Last status: {status.Lifecycle}, " +
                    $"steps {string.Join(", ", status.Steps.Select(s => $"{s.StepId}={s.Phase}/{s.ContainerId}"))}. Error: {status.Error}");
            }

            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>Each step's container, as the flow's status shows it.</summary>
    public async Task<IReadOnlyDictionary<string, string?>> StepContainersAsync(string flowId) =>
        (await Flow(flowId).GetStatusAsync()).Steps.ToDictionary(s => s.StepId, s => s.ContainerId, StringComparer.Ordinal);

    public IManagementGrain Management => Client.GetGrain<IManagementGrain>(0);

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataFolder, recursive: true);
    }
}
