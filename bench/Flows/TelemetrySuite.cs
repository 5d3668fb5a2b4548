using System.Diagnostics;
using FlowActors.Bench.Harness;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Silo.Telemetry;
using FlowActors.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace FlowActors.Bench.Flows;

/// <summary>
/// What tracing and metrics cost a real-time 3-step echo flow, per hop (latency, one message in flight) and in
/// throughput: off (nothing listens), the console's charts (the shipped default: the silo's own metrics window
/// listens), and tracing on top (OpenTelemetry's tracer provider samples every span, no exporter: "export off").
/// One silo with its telemetry off, the listeners switched on and off in alternating blocks of the same run, so that
/// a machine's drift and load fall on every mode alike; the silo's CPU per message in the throughput blocks says the
/// same as the throughput with less of the noise (the components' processes share the two cores).
/// </summary>
internal sealed class TelemetrySuite(int? messages) : IBenchSuite
{
    public const string SuiteName = "telemetry";
    private const int Hops = 3;
    private const int Rounds = 5;
    private const int InFlight = 256;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly int _throughputMessages = messages ?? 20_000;
    private readonly int _latencySamples = messages is { } n ? Math.Max(n / 10, 10) : 600;

    public string Name => SuiteName;

    public string Description => "tracing and metrics on vs off: per-hop latency and throughput of a real-time flow (--messages N per block)";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        Mode[] modes =
        [
            new("off", Console: false, Tracing: false),
            new("console metrics (default)", Console: true, Tracing: false),
            new("tracing + metrics, export off", Console: true, Tracing: true),
        ];

        // Nothing listens unless a block switches it on.
        var off = new Dictionary<string, string?>
        {
            [$"{TelemetryOptions.Section}:ConsoleMetrics"] = "false",
            [$"{TelemetryOptions.Section}:Tracing"] = "false",
        };
        await using var silo = await FlowSilo.StartAsync(ContainerRuntimeKind.Process, TimeSpan.FromSeconds(1), cancellationToken, off);
        var flowId = await FlowsSuite.StartRealtimeAsync(silo);
        await using var events = await silo.SubscribeAsync(flowId);
        await using var reader = events.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var flow = silo.Flow(flowId);

        // Warm the path (connections, JIT, stream registrations) with every listener once, before any clock starts.
        foreach (var mode in modes)
        {
            using var on = mode.SwitchOn();
            for (var i = 0; i < 100; i++)
            {
                await FlowsSuite.NextOutputAsync(reader, await flow.SendAsync(FlowMessage.Create("""{"warm":true}""")));
            }
        }

        var perHop = modes.ToDictionary(m => m, _ => new List<double>());
        var wall = modes.ToDictionary(m => m, _ => TimeSpan.Zero);
        var cpu = modes.ToDictionary(m => m, _ => TimeSpan.Zero);
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var mode in round % 2 == 0 ? modes : modes.Reverse())
            {
                Console.Error.WriteLine($"telemetry: round {round + 1}/{Rounds}, {mode.Name} ...");
                using var on = mode.SwitchOn();
                for (var i = 0; i < _latencySamples; i++)
                {
                    var clock = Stopwatch.StartNew();
                    await FlowsSuite.NextOutputAsync(reader, await flow.SendAsync(FlowMessage.Create($$"""{"n":{{i}},"text":"hello"}""")));
                    perHop[mode].Add(clock.Elapsed.TotalMilliseconds / Hops);
                }

                var before = ProcessCpu.Now();
                wall[mode] += await ThroughputAsync(flow, reader, cancellationToken);
                cpu[mode] += (ProcessCpu.Now() - before).Silo;
            }
        }

        await FlowsSuite.StopAsync(silo, flowId);

        var rows = new List<BenchResult>();
        var baseline = modes[0];
        var total = Rounds * _throughputMessages;
        foreach (var mode in modes)
        {
            var latency = BenchResult.Distribution(SuiteName, $"{mode.Name}: per-hop latency = e2e / 3, 1 in flight", "ms", perHop[mode]);
            var throughput = BenchResult.Single(SuiteName, $"{mode.Name}: throughput ({total:N0} messages, ≤ {InFlight} in flight)", "messages/s", total / wall[mode].TotalSeconds);
            var cpuPerMessage = BenchResult.Single(SuiteName, $"{mode.Name}: silo CPU per message (throughput blocks)", "µs", cpu[mode].TotalMicroseconds / total);
            rows.Add(latency);
            rows.Add(throughput);
            rows.Add(cpuPerMessage);
            if (mode != baseline)
            {
                rows.Add(BenchResult.Single(SuiteName, $"{mode.Name}: throughput lost vs off (limit with export off: 5 %)", "%",
                    (1 - (wall[baseline].TotalSeconds / wall[mode].TotalSeconds)) * 100));
                rows.Add(BenchResult.Single(SuiteName, $"{mode.Name}: silo CPU per message added vs off", "%",
                    ((cpu[mode].TotalSeconds / cpu[baseline].TotalSeconds) - 1) * 100));
                rows.Add(BenchResult.Single(SuiteName, $"{mode.Name}: per-hop latency p50 added vs off", "ms",
                    latency.P50!.Value - BenchResult.Distribution(SuiteName, "", "ms", perHop[baseline]).P50!.Value));
            }
        }

        foreach (var row in rows)
        {
            Console.Error.WriteLine($"  {row.Name}: p50 {row.P50:0.###} p99 {row.P99:0.###} value {row.Value:0.###} {row.Unit}");
        }

        return rows;
    }

    /// <summary>One block of the throughput measurement: the wall time from the first send to the last output.</summary>
    private async Task<TimeSpan> ThroughputAsync(Grains.Interfaces.Flows.IFlowGrain flow, IAsyncEnumerator<FlowEvent> reader, CancellationToken cancellationToken)
    {
        using var window = new SemaphoreSlim(InFlight, InFlight);
        var errors = 0;
        var received = Task.Run(async () =>
        {
            for (var count = 0; count < _throughputMessages; count++)
            {
                if (!await reader.MoveNextAsync())
                {
                    throw new InvalidOperationException("The event subscription ended.");
                }

                errors += reader.Current.Kind == FlowEventKind.Output ? 0 : 1;
                window.Release();
            }
        }, cancellationToken);

        var clock = Stopwatch.StartNew();
        var sends = new List<Task<string>>(_throughputMessages);
        for (var i = 0; i < _throughputMessages; i++)
        {
            await window.WaitAsync(cancellationToken);
            sends.Add(flow.SendAsync(FlowMessage.Create($$"""{"n":{{i}},"text":"hello"}""")));
        }

        await Task.WhenAll(sends);
        await received.WaitAsync(Wait, cancellationToken);
        var elapsed = clock.Elapsed;
        if (errors > 0)
        {
            Console.Error.WriteLine($"telemetry: {errors} of {_throughputMessages} executions ended in an error event");
        }

        return elapsed;
    }

    /// <summary>A telemetry setting, switched on for a block by making the listeners the silo would make.</summary>
    private sealed record Mode(string Name, bool Console, bool Tracing)
    {
        public IDisposable SwitchOn()
        {
            var listeners = new List<IDisposable>();
            if (Console)
            {
                listeners.Add(new MetricsWindow(new TelemetryOptions(), TimeProvider.System, NullLogger<MetricsWindow>.Instance));
            }

            if (Tracing)
            {
                listeners.Add(Sdk.CreateTracerProviderBuilder().AddSource(TelemetryNames.Source).SetSampler(new AlwaysOnSampler()).Build()!);
            }

            return new Listeners(listeners);
        }
    }

    private sealed class Listeners(List<IDisposable> listeners) : IDisposable
    {
        public void Dispose() => listeners.ForEach(l => l.Dispose());
    }
}
