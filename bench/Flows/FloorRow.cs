using System.Diagnostics;
using FlowActors.Bench.Harness;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Containers;
using FlowActors.Containers.Leases;
using FlowActors.Containers.Processes;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Silo.Samples;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FlowActors.Bench.Flows;

/// <summary>
/// The floor under every hop: the benchmark calls an echo component (a local process) directly through the
/// platform's <see cref="ComponentClient"/>, no silo involved. One call in flight, keep-alive connection.
/// </summary>
internal static class FloorRow
{
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(int warmUp, int samples, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine("flows: floor, direct component call ...");
        using var client = new ComponentClient(Options.Create(new ComponentClientOptions()));
        // No silo here: the runtime is told who owns its processes.
        await using var runtime = new LocalProcessContainerRuntime(
            new ContainerOwner("bench", "bench"), new ContainerLeases(), new LoopbackPorts(), Options.Create(new LocalProcessRuntimeOptions()),
            NullLogger<LocalProcessContainerRuntime>.Instance, TimeProvider.System);
        var echo = SampleDeployments.Echo();
        var revision = new ComponentRevision(FlowSilo.Echo, 1, echo.Launch, echo.Descriptor, DateTimeOffset.UtcNow);
        var lease = await runtime.StartAsync(
            new ContainerRequest("bench", "floor", revision, null, "bench/floor@bench", TimeSpan.FromMinutes(5)), cancellationToken);
        try
        {
            var ready = Stopwatch.StartNew();
            while (!await runtime.ProbeAsync(lease, cancellationToken))
            {
                if (ready.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException("The echo component did not answer its health probe within 30 s.");
                }

                await Task.Delay(20, cancellationToken);
            }

            var latencies = new List<double>(samples);
            var cpuBefore = ProcessCpu.Now();
            for (var i = 0; i < warmUp + samples; i++)
            {
                var message = FlowMessage.Create($$"""{"n":{{i}},"text":"hello"}""");
                var clock = Stopwatch.StartNew();
                await client.InvokeAsync(lease.Endpoint, "echo", message, null, null, TimeSpan.FromSeconds(5), cancellationToken);
                if (i >= warmUp)
                {
                    latencies.Add(clock.Elapsed.TotalMilliseconds);
                }
            }

            var cpu = ProcessCpu.Now() - cpuBefore;
            var calls = warmUp + samples;
            const string name = "floor: component call, bench → echo process (ComponentClient.InvokeAsync)";
            return
            [
                BenchResult.Distribution(FlowsSuite.SuiteName, name, "ms", latencies),
                BenchResult.Single(FlowsSuite.SuiteName, $"{name}: caller CPU per call", "µs", cpu.Silo.TotalMicroseconds / calls),
                BenchResult.Single(FlowsSuite.SuiteName, $"{name}: component process CPU per call", "µs", cpu.Children.TotalMicroseconds / calls),
            ];
        }
        finally
        {
            await runtime.StopAsync(lease, CancellationToken.None);
        }
    }
}
