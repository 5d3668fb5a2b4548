using System.Diagnostics;
using FlowActors.Bench.Harness;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Containers.Isolation;
using FlowActors.Containers.Leases;
using FlowActors.Containers.Processes;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Grains.Interfaces.Containers;
using FlowActors.Silo.Samples;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FlowActors.Bench.Flows;

/// <summary>
/// The floor under every hop: the benchmark calls an echo component (a local process) directly through the
/// platform's <see cref="ComponentClient"/>, no silo involved. One call in flight, keep-alive connection.
/// <para>
/// Measured twice in the same run: with a silo's default isolation (a namespace of its own and an unprivileged user
/// where this process may do that: the row the flow rows build on), and with isolation off, in alternating blocks, so
/// that the two see the same machine and what isolation costs per call shows apart from the load of the moment.
/// </para>
/// </summary>
internal static class FloorRow
{
    private const string Name = "floor: component call, bench → echo process (ComponentClient.InvokeAsync)";
    private const int Blocks = 10;

    public static async Task<IReadOnlyList<BenchResult>> RunAsync(int warmUp, int samples, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine("flows: floor, direct component call ...");
        await using var isolated = await Floor.StartAsync(ComponentIsolationMode.Auto, cancellationToken);
        await using var open = await Floor.StartAsync(ComponentIsolationMode.Off, cancellationToken);
        Console.Error.WriteLine($"flows: floor component isolated as a silo's default: {isolated.Describe()}");
        foreach (var floor in new[] { isolated, open })
        {
            for (var i = 0; i < warmUp; i++)
            {
                await floor.CallAsync(i, cancellationToken);
            }
        }

        for (var block = 0; block < Blocks; block++)
        {
            foreach (var floor in new[] { isolated, open })
            {
                await floor.MeasureAsync(samples / Blocks, cancellationToken);
            }
        }

        var offName = $"{Name}, isolation off (same run, alternating blocks)";
        return [.. isolated.Rows(Name), .. open.Rows(offName)];
    }

    /// <summary>One echo component and a client that reaches it, with the latencies and CPU time of the calls measured.</summary>
    private sealed class Floor(ComponentIsolation isolation, LocalProcessContainerRuntime runtime, ComponentClient client, ContainerLease lease) : IAsyncDisposable
    {
        private readonly List<double> _latencies = [];
        private ProcessCpu _cpu;
        private int _calls;

        public static async Task<Floor> StartAsync(ComponentIsolationMode mode, CancellationToken cancellationToken)
        {
            var isolation = new ComponentIsolation(
                new ComponentNetworks(), Options.Create(new ComponentIsolationOptions { Mode = mode }), NullLogger<ComponentIsolation>.Instance);
            var client = new ComponentClient(Options.Create(new ComponentClientOptions()), isolation.Networks);
            // No silo here: the runtime is told who owns its processes.
            var runtime = new LocalProcessContainerRuntime(
                new ContainerOwner("bench", "bench"), new ContainerLeases(), new LoopbackPorts(), isolation, Options.Create(new LocalProcessRuntimeOptions()),
                NullLogger<LocalProcessContainerRuntime>.Instance, TimeProvider.System);
            var echo = SampleDeployments.Echo();
            var revision = new ComponentRevision(FlowSilo.Echo, 1, echo.Launch, echo.Descriptor, DateTimeOffset.UtcNow);
            var lease = await runtime.StartAsync(
                new ContainerRequest("bench", $"floor-{mode}", revision, null, $"bench/floor-{mode}@bench", TimeSpan.FromMinutes(5)), cancellationToken);
            var ready = Stopwatch.StartNew();
            while (!await runtime.ProbeAsync(lease, cancellationToken))
            {
                if (ready.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException("The echo component did not answer its health probe within 30 s.");
                }

                await Task.Delay(20, cancellationToken);
            }

            return new Floor(isolation, runtime, client, lease);
        }

        public string Describe() =>
            $"network: {(isolation.IsolatesNetwork ? "a namespace of its own" : isolation.NetworkLimitation)}; "
            + $"user: {(isolation.ProcessUser is { } user ? user.ToString() : isolation.UserLimitation)}";

        public Task CallAsync(int n, CancellationToken cancellationToken) =>
            client.InvokeAsync(lease.Endpoint, "echo", FlowMessage.Create($$"""{"n":{{n}},"text":"hello"}"""), null, null, TimeSpan.FromSeconds(5), cancellationToken);

        public async Task MeasureAsync(int calls, CancellationToken cancellationToken)
        {
            var before = ProcessCpu.Now();
            for (var i = 0; i < calls; i++)
            {
                var clock = Stopwatch.StartNew();
                await CallAsync(i, cancellationToken);
                _latencies.Add(clock.Elapsed.TotalMilliseconds);
            }

            var spent = ProcessCpu.Now() - before;
            _cpu = new ProcessCpu(_cpu.Silo + spent.Silo, _cpu.Children + spent.Children);
            _calls += calls;
        }

        public IEnumerable<BenchResult> Rows(string name) =>
        [
            BenchResult.Distribution(FlowsSuite.SuiteName, name, "ms", _latencies),
            BenchResult.Single(FlowsSuite.SuiteName, $"{name}: caller CPU per call", "µs", _cpu.Silo.TotalMicroseconds / _calls),
            // Every component process of the benchmark is counted: the other floor's is idle meanwhile.
            BenchResult.Single(FlowsSuite.SuiteName, $"{name}: component process CPU per call", "µs", _cpu.Children.TotalMicroseconds / _calls),
        ];

        public async ValueTask DisposeAsync()
        {
            await runtime.StopAsync(lease, CancellationToken.None);
            await runtime.DisposeAsync();
            client.Dispose();
        }
    }
}
