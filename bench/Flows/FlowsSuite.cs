using System.Diagnostics;
using FlowActors.Bench.Harness;
using FlowActors.Client;
using FlowActors.Containers;

namespace FlowActors.Bench.Flows;

/// <summary>
/// Flows end to end on the embedded profile: the component-call floor, a real-time 3-step echo flow's latency,
/// per-hop platform overhead and throughput, real-time warm-up, ordinary cold runs, and the idle CPU of a silo
/// running 10 real-time flows. Docker rows run when an engine answers and the sample image exists.
/// </summary>
internal sealed class FlowsSuite : IBenchSuite
{
    public const string SuiteName = "flows";
    private const int Hops = 3;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    public string Name => SuiteName;

    public string Description => "flows end to end: component floor, real-time latency/overhead/throughput, warm-up, ordinary cold, idle CPU";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        var results = new RowLog();
        var floorRows = await FloorRow.RunAsync(warmUp: 500, samples: 5_000, cancellationToken);
        results.AddRange(floorRows);
        var floor = floorRows[0];

        await using (var silo = await FlowSilo.StartAsync(ContainerRuntimeKind.Process, TimeSpan.FromSeconds(1), cancellationToken))
        {
            results.AddRange(await LatencyAsync(silo, floor, warmUp: 300, samples: 3_000, cancellationToken));
            results.AddRange(await ThroughputAsync(silo, messages: 20_000, inFlight: 256, cancellationToken));
            results.Add(await WarmUpAsync(silo, "local process", runs: 5, cancellationToken));
            results.Add(await OrdinaryColdAsync(silo, "local process", runs: 5, cancellationToken));
        }

        results.AddRange(await IdleCpu.RunAsync(flows: 10, cancellationToken));

        if (await DockerAvailable.CheckAsync(cancellationToken) is { } reason)
        {
            Console.Error.WriteLine($"flows: Docker rows skipped: {reason}");
        }
        else
        {
            await using var silo = await FlowSilo.StartAsync(ContainerRuntimeKind.Docker, TimeSpan.FromSeconds(1), cancellationToken);
            await results.TryAddAsync("Docker warm-up", () => WarmUpAsync(silo, "Docker", runs: 5, cancellationToken));
            await results.TryAddAsync("Docker ordinary cold", () => OrdinaryColdAsync(silo, "Docker", runs: 5, cancellationToken));
        }

        return results.Rows;
    }

    /// <summary>Rows so far, each printed as it is measured, so a run that fails late still shows what it measured.</summary>
    private sealed class RowLog
    {
        public List<BenchResult> Rows { get; } = [];

        public BenchResult Add(BenchResult row)
        {
            Rows.Add(row);
            Console.Error.WriteLine($"  {row.Name}: p50 {row.P50:0.###} p90 {row.P90:0.###} p99 {row.P99:0.###} value {row.Value:0.###} {row.Unit} (n={row.Samples})");
            return row;
        }

        public void AddRange(IEnumerable<BenchResult> rows)
        {
            foreach (var row in rows)
            {
                Add(row);
            }
        }

        /// <summary>Docker rows depend on an engine and images outside the benchmark: a failure is reported, not fatal.</summary>
        public async Task TryAddAsync(string what, Func<Task<BenchResult>> measure)
        {
            try
            {
                Add(await measure());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Console.Error.WriteLine($"flows: {what} failed: {e.Message}");
            }
        }
    }


    /// <summary>
    /// One message in flight: send, await its Output event. Per-hop overhead is derived per sample with the floor's
    /// p50 standing in for the time inside each component call.
    /// </summary>
    private static async Task<IReadOnlyList<BenchResult>> LatencyAsync(FlowSilo silo, BenchResult floor, int warmUp, int samples, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine("flows: real-time end to end, one in flight ...");
        var flowId = await StartRealtimeAsync(silo);
        await using var events = await silo.SubscribeAsync(flowId);
        await using var reader = events.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var flow = silo.Flow(flowId);
        var endToEnd = new List<double>(samples);
        var overhead = new List<double>(samples);
        var outsideSteps = new List<double>(samples);
        var stepElapsed = new List<double>(samples * Hops);
        for (var i = 0; i < warmUp + samples; i++)
        {
            var clock = Stopwatch.StartNew();
            var execution = await flow.SendAsync(FlowMessage.Create($$"""{"n":{{i}},"text":"hello"}"""));
            var output = await NextOutputAsync(reader, execution);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (i < warmUp)
            {
                continue;
            }

            var inSteps = output.Path.Sum(p => p.Elapsed.TotalMilliseconds);
            endToEnd.Add(elapsed);
            overhead.Add((elapsed - Hops * floor.P50!.Value) / Hops);
            outsideSteps.Add((elapsed - inSteps) / Hops);
            stepElapsed.AddRange(output.Path.Select(p => p.Elapsed.TotalMilliseconds));
        }

        await StopAsync(silo, flowId);
        const string flowName = "real-time 3-step echo flow";
        return
        [
            BenchResult.Distribution(SuiteName, $"{flowName}, end to end, 1 in flight (send → Output event)", "ms", endToEnd),
            BenchResult.Distribution(SuiteName, $"{flowName}, platform overhead per hop = (e2e − 3 × floor p50) / 3", "ms", overhead),
            BenchResult.Distribution(SuiteName, $"{flowName}, step time (FlowEvent.Path: stream delivery to output published, component call included)", "ms", stepElapsed),
            BenchResult.Distribution(SuiteName, $"{flowName}, time outside steps per hop = (e2e − Σ Path) / 3", "ms", outsideSteps),
        ];
    }

    /// <summary>Many messages, at most <paramref name="inFlight"/> unanswered: messages per second from the first send to the last Output.</summary>
    private static async Task<IReadOnlyList<BenchResult>> ThroughputAsync(FlowSilo silo, int messages, int inFlight, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"flows: real-time throughput, {messages:N0} messages, {inFlight} in flight ...");
        var flowId = await StartRealtimeAsync(silo);
        await using var events = await silo.SubscribeAsync(flowId);
        var flow = silo.Flow(flowId);

        // Warm the path (connections, JIT, stream registrations) before the clock starts.
        await using (var warm = events.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken))
        {
            for (var i = 0; i < 200; i++)
            {
                await NextOutputAsync(warm, await flow.SendAsync(FlowMessage.Create("""{"warm":true}""")));
            }
        }

        using var window = new SemaphoreSlim(inFlight, inFlight);
        var errors = 0;
        var received = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var e in events.ReadAllAsync(cancellationToken))
            {
                if (e.Kind != FlowEventKind.Output)
                {
                    errors++;
                }

                window.Release();
                if (++count == messages)
                {
                    return;
                }
            }
        }, cancellationToken);

        var cpuBefore = ProcessCpu.Now();
        var clock = Stopwatch.StartNew();
        var sends = new List<Task<string>>(messages);
        for (var i = 0; i < messages; i++)
        {
            await window.WaitAsync(cancellationToken);
            sends.Add(flow.SendAsync(FlowMessage.Create($$"""{"n":{{i}},"text":"hello"}""")));
        }

        await Task.WhenAll(sends);
        await received.WaitAsync(Wait, cancellationToken);
        var wall = clock.Elapsed;
        var cpu = ProcessCpu.Now() - cpuBefore;
        await StopAsync(silo, flowId);
        if (errors > 0)
        {
            Console.Error.WriteLine($"flows: {errors} of {messages} executions ended in an error event");
        }

        var name = $"real-time 3-step echo flow, throughput ({messages:N0} messages, ≤ {inFlight} in flight)";
        return
        [
            BenchResult.Single(SuiteName, name, "messages/s", messages / wall.TotalSeconds),
            BenchResult.Single(SuiteName, $"{name}: silo process CPU per message", "µs", cpu.Silo.TotalMicroseconds / messages),
            BenchResult.Single(SuiteName, $"{name}: component processes CPU per message (3 calls)", "µs", cpu.Children.TotalMicroseconds / messages),
            BenchResult.Single(SuiteName, $"{name}: CPU used, silo + components", "% of one core", (cpu.Silo + cpu.Children) / wall * 100),
        ];
    }

    /// <summary>StartAsync → Running (every step's component answered its health probe); a fresh flow each run.</summary>
    private static async Task<BenchResult> WarmUpAsync(FlowSilo silo, string runtime, int runs, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"flows: real-time warm-up, {runtime} ...");
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var flowId = await silo.CreateFlowAsync(FlowSilo.ThreeEchoes, FlowMode.Realtime);
            var clock = Stopwatch.StartNew();
            await silo.Flow(flowId).StartAsync();
            await silo.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait, TimeSpan.FromMilliseconds(2));
            times.Add(clock.Elapsed.TotalMilliseconds);
            await StopAsync(silo, flowId);
        }

        return BenchResult.Distribution(SuiteName, $"real-time 3-step flow warm-up (Start → Running), {runtime}, {runs} runs (p50 = median)", "ms", times);
    }

    /// <summary>An ordinary flow with fresh step grains: every step starts its container when the message arrives.</summary>
    private static async Task<BenchResult> OrdinaryColdAsync(FlowSilo silo, string runtime, int runs, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"flows: ordinary cold, {runtime} ...");
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var flowId = await silo.CreateFlowAsync(FlowSilo.ThreeEchoes, FlowMode.Ordinary);
            await silo.Flow(flowId).StartAsync();
            await using (var events = await silo.SubscribeAsync(flowId))
            await using (var reader = events.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken))
            {
                var clock = Stopwatch.StartNew();
                var execution = await silo.Flow(flowId).SendAsync(FlowMessage.Create("""{"text":"cold"}"""));
                await NextOutputAsync(reader, execution);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            // The idle timeout (1 s) stops the containers; wait for that so runs do not overlap.
            await silo.Flow(flowId).StopAsync();
            await silo.WaitForNoContainersAsync(flowId, TimeSpan.FromSeconds(20));
        }

        return BenchResult.Distribution(SuiteName, $"ordinary 3-step flow from cold (send → Output, 3 container starts), {runtime}, {runs} runs (p50 = median)", "ms", times);
    }

    internal static async Task<string> StartRealtimeAsync(FlowSilo silo)
    {
        var flowId = await silo.CreateFlowAsync(FlowSilo.ThreeEchoes, FlowMode.Realtime);
        await silo.Flow(flowId).StartAsync();
        await silo.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait, TimeSpan.FromMilliseconds(10));
        return flowId;
    }

    internal static async Task StopAsync(FlowSilo silo, string flowId)
    {
        await silo.Flow(flowId).StopAsync();
        await silo.WaitForNoContainersAsync(flowId, TimeSpan.FromSeconds(20));
    }

    internal static async Task<FlowEvent> NextOutputAsync(IAsyncEnumerator<FlowEvent> reader, string execution)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (await reader.MoveNextAsync().AsTask().WaitAsync(timeout.Token))
        {
            var e = reader.Current;
            if (e.ExecutionId != execution)
            {
                continue;
            }

            return e.Kind == FlowEventKind.Output ? e : throw new InvalidOperationException($"Execution {execution} failed at step {e.StepId}: {e.Error}");
        }

        throw new InvalidOperationException("The event subscription ended.");
    }
}
