using System.Diagnostics;
using FlowActors.Bench.Flows;
using FlowActors.Bench.Harness;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Mappings;
using FlowActors.Mappings;
using Jint;

namespace FlowActors.Bench.Mappings;

/// <summary>
/// What mappings and routed edges cost: a field-renaming mapping per message in the engine FlowActors runs (V8), one
/// message per call and in batches, beside the same in Jint (the other engine considered); a routed edge's condition per
/// output; real-time throughput of a 3-step echo flow with a mapping on every step against none; and a bystander flow's
/// latency while another flow's messages run hostile expressions into their limits, with the silo's RSS.
/// </summary>
internal sealed class MappingsSuite(int? messages) : IBenchSuite
{
    public const string SuiteName = "mappings";
    private const string Rename = """{ "id": orderId, "firstName": customer.first, "lastName": customer.last, "total": total }""";
    private const string Order = """{"orderId":"A-17","customer":{"first":"Ada","last":"Lovelace"},"total":27,"country":"DE"}""";
    private const int Batch = 64;
    private const int InFlight = 256;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    private readonly int _samples = messages ?? 20_000;

    public string Name => SuiteName;

    public string Description => "JSONata mappings and routed edges: per-message cost (V8 vs Jint), throughput with a mapping on every step, a hostile neighbour";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        var rows = new List<BenchResult>();
        rows.AddRange(EngineRows());
        rows.Add(RoutedEdgeRow());
        rows.AddRange(await ThroughputRowsAsync(cancellationToken));
        rows.AddRange(await HostileNeighbourRowsAsync(cancellationToken));
        foreach (var row in rows)
        {
            Console.Error.WriteLine($"  {row.Name}: p50 {row.P50:0.###} p99 {row.P99:0.###} value {row.Value:0.###} {row.Unit}");
        }

        return rows;
    }

    private IEnumerable<BenchResult> EngineRows()
    {
        using var engine = new JsonataEngine();
        var (index, _) = engine.Compile(Rename);
        JsonataInput[] one = [new(Order)];
        var batch = Enumerable.Repeat(new JsonataInput(Order), Batch).ToArray();
        for (var i = 0; i < 2_000; i++)
        {
            engine.Evaluate([index], one);
        }

        var single = new List<double>(_samples);
        for (var i = 0; i < _samples; i++)
        {
            var started = Stopwatch.GetTimestamp();
            engine.Evaluate([index], one);
            single.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        var batched = new List<double>(_samples / Batch);
        for (var i = 0; i < Math.Max(_samples / Batch, 50); i++)
        {
            var started = Stopwatch.GetTimestamp();
            engine.Evaluate([index], batch);
            batched.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / Batch);
        }

        yield return BenchResult.Distribution(SuiteName, "V8: field-renaming mapping, one message per call (goal p50 ≤ 20 µs)", "µs", single);
        yield return BenchResult.Distribution(SuiteName, $"V8: field-renaming mapping, per message in batches of {Batch}", "µs", batched);
        yield return JintRow();
    }

    /// <summary>The same mapping in Jint 4.18, each call parsing its input and settling jsonata's promise, as V8's does.</summary>
    private BenchResult JintRow()
    {
        using var stream = typeof(JsonataEngine).Assembly.GetManifestResourceStream("FlowActors.Mappings.jsonata.min.js")!;
        using var reader = new StreamReader(stream);
        using var jint = new Engine();
        jint.Execute(reader.ReadToEnd());
        jint.Execute($"var expression = jsonata({System.Text.Json.JsonSerializer.Serialize(Rename)});");
        var call = $"expression.evaluate(JSON.parse({System.Text.Json.JsonSerializer.Serialize(Order)})).then(function (r) {{ return JSON.stringify(r); }})";
        for (var i = 0; i < 200; i++)
        {
            jint.Evaluate(call).UnwrapIfPromise();
        }

        var samples = new List<double>();
        for (var i = 0; i < Math.Max(_samples / 20, 100); i++)
        {
            var started = Stopwatch.GetTimestamp();
            jint.Evaluate(call).UnwrapIfPromise();
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        return BenchResult.Distribution(SuiteName, "Jint: field-renaming mapping, one message per call (not chosen)", "µs", samples);
    }

    /// <summary>A routed edge: <c>country = "DE"</c> and an otherwise, decided for one output per call.</summary>
    private BenchResult RoutedEdgeRow()
    {
        var plan = new StepPlan("bench", "run", FlowMode.Realtime, new StepDefinition("split", "echo", "echo"), ["de", "rest"], null,
            NextEdges: [new FlowEdge("split", "de", When: """country = "DE" """), new FlowEdge("split", "rest", Otherwise: true)]);
        using var expressions = StepExpressions.For(plan, JsonataLimits.Default)!;
        for (var i = 0; i < 2_000; i++)
        {
            expressions.Route(Order, null, "e");
        }

        var samples = new List<double>(_samples);
        for (var i = 0; i < _samples; i++)
        {
            var started = Stopwatch.GetTimestamp();
            expressions.Route(Order, null, "e");
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        return BenchResult.Distribution(SuiteName, "routed edge (when country = \"DE\", otherwise), per output", "µs", samples);
    }

    /// <summary>Real-time throughput of three echoes, without mappings and with one on every step, in alternating blocks.</summary>
    private async Task<IReadOnlyList<BenchResult>> ThroughputRowsAsync(CancellationToken cancellationToken)
    {
        await using var silo = await FlowSilo.StartAsync(ContainerRuntimeKind.Process, TimeSpan.FromSeconds(10), cancellationToken);
        var plain = await StartAsync(silo, FlowSilo.ThreeEchoes);
        var mapped = await StartAsync(silo, new FlowDefinition("three mapped echoes",
            [.. FlowSilo.ThreeEchoes.Steps.Select(s => s with { Mapping = """{ "n": n, "text": text, "seen": $stepId }""" })],
            FlowSilo.ThreeEchoes.Edges));
        var wall = new Dictionary<string, TimeSpan> { [plain] = TimeSpan.Zero, [mapped] = TimeSpan.Zero };
        const int Rounds = 4;
        var perBlock = Math.Max(_samples / 2, 500);
        await using var plainEvents = await silo.SubscribeAsync(plain);
        await using var mappedEvents = await silo.SubscribeAsync(mapped);
        await using var plainReader = plainEvents.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var mappedReader = mappedEvents.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var readers = new Dictionary<string, IAsyncEnumerator<FlowEvent>> { [plain] = plainReader, [mapped] = mappedReader };
        foreach (var flowId in wall.Keys.ToArray())
        {
            await ThroughputAsync(silo, flowId, readers[flowId], 500, cancellationToken); // warm: connections, JIT, engines
        }

        for (var round = 0; round < Rounds; round++)
        {
            foreach (var flowId in round % 2 == 0 ? new[] { plain, mapped } : [mapped, plain])
            {
                Console.Error.WriteLine($"mappings: throughput round {round + 1}/{Rounds}, {(flowId == plain ? "no mapping" : "a mapping on every step")} ...");
                wall[flowId] += await ThroughputAsync(silo, flowId, readers[flowId], perBlock, cancellationToken);
            }
        }

        await FlowsSuite.StopAsync(silo, plain);
        await FlowsSuite.StopAsync(silo, mapped);
        var total = Rounds * perBlock;
        return
        [
            BenchResult.Single(SuiteName, $"real-time throughput, 3 echoes, no mapping ({total:N0} messages, ≤ {InFlight} in flight)", "messages/s", total / wall[plain].TotalSeconds),
            BenchResult.Single(SuiteName, "real-time throughput, 3 echoes, a mapping on every step", "messages/s", total / wall[mapped].TotalSeconds),
            BenchResult.Single(SuiteName, "throughput lost with a mapping on every step (goal ≤ 15 %)", "%", (1 - (wall[plain].TotalSeconds / wall[mapped].TotalSeconds)) * 100),
        ];
    }

    /// <summary>
    /// A bystander flow's latency (one message in flight) alone, then while a hostile flow's messages recurse without end
    /// (each stopped at the 1 s limit, its engine rebuilt) and allocate without end; the silo's RSS before and after.
    /// </summary>
    private async Task<IReadOnlyList<BenchResult>> HostileNeighbourRowsAsync(CancellationToken cancellationToken)
    {
        await using var silo = await FlowSilo.StartAsync(ContainerRuntimeKind.Process, TimeSpan.FromSeconds(10), cancellationToken);
        var bystander = await StartAsync(silo, FlowSilo.ThreeEchoes);
        var hostile = await StartAsync(silo, FlowDefinition.Chain("hostile", new StepDefinition("evil", FlowSilo.Echo, "echo",
            Mapping: "recurse ? ($f := function(){$f()}; $f()) : $count([1..9999999].{'a': $string($)})")));
        await using var events = await silo.SubscribeAsync(bystander);
        await using var reader = events.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var samples = Math.Max(_samples / 20, 200);
        var before = await LatenciesAsync(silo, bystander, reader, samples);
        var rss = Environment.WorkingSet;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var hostiles = Task.Run(async () =>
        {
            var sent = 0;
            while (!stop.IsCancellationRequested)
            {
                await silo.Flow(hostile).SendAsync(FlowMessage.Create(sent++ % 2 == 0 ? """{"recurse":true}""" : """{"allocate":true}"""));
                await Task.Delay(TimeSpan.FromMilliseconds(250), stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            return sent;
        }, cancellationToken);
        var during = await LatenciesAsync(silo, bystander, reader, samples);
        await stop.CancelAsync();
        var hostileSent = await hostiles;
        var grown = (Environment.WorkingSet - rss) / (1024.0 * 1024);
        await FlowsSuite.StopAsync(silo, bystander);
        await FlowsSuite.StopAsync(silo, hostile);
        var alone = BenchResult.Distribution(SuiteName, "bystander flow alone: end-to-end latency, 3 echoes, 1 in flight", "ms", before);
        var beside = BenchResult.Distribution(SuiteName, $"bystander beside {hostileSent} hostile messages (runaway recursion, unbounded allocation)", "ms", during);
        return
        [
            alone,
            beside,
            BenchResult.Single(SuiteName, "bystander p99 beside hostile / alone (goal ≤ 2)", "×", beside.P99!.Value / alone.P99!.Value),
            BenchResult.Single(SuiteName, "silo RSS growth over the hostile run (goal ≤ 100 MB)", "MB", grown),
        ];
    }

    private static async Task<List<double>> LatenciesAsync(FlowSilo silo, string flowId, IAsyncEnumerator<FlowEvent> reader, int samples)
    {
        var latencies = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var clock = Stopwatch.StartNew();
            await FlowsSuite.NextOutputAsync(reader, await silo.Flow(flowId).SendAsync(FlowMessage.Create($$"""{"n":{{i}},"text":"hello"}""")));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }

        return latencies;
    }

    private static async Task<string> StartAsync(FlowSilo silo, FlowDefinition definition)
    {
        var flowId = await silo.CreateFlowAsync(definition, FlowMode.Realtime);
        await silo.Flow(flowId).StartAsync();
        await silo.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait, TimeSpan.FromMilliseconds(10));
        return flowId;
    }

    /// <summary>One block: the wall time from the first send to the last output of <paramref name="count"/> messages.</summary>
    private static async Task<TimeSpan> ThroughputAsync(
        FlowSilo silo, string flowId, IAsyncEnumerator<FlowEvent> reader, int count, CancellationToken cancellationToken)
    {
        using var window = new SemaphoreSlim(InFlight, InFlight);
        var errors = 0;
        var received = Task.Run(async () =>
        {
            for (var n = 0; n < count; n++)
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
        var sends = new List<Task<string>>(count);
        for (var i = 0; i < count; i++)
        {
            if (!await window.WaitAsync(Wait, cancellationToken))
            {
                var counters = await silo.Client.GetGrain<Grains.Interfaces.Executions.IExecutionLogGrain>(flowId).GetCountersAsync();
                throw new TimeoutException($"Flow {flowId}: no event for {Wait.TotalSeconds:0} s with {InFlight} executions in flight, after {i} sends; its counters: {counters}.");
            }

            sends.Add(silo.Flow(flowId).SendAsync(FlowMessage.Create($$"""{"n":{{i}},"text":"hello"}""")));
        }

        await Task.WhenAll(sends);
        await received.WaitAsync(Wait, cancellationToken);
        if (errors > 0)
        {
            throw new InvalidOperationException($"{errors} of {count} executions of flow {flowId} ended in an error event.");
        }

        return clock.Elapsed;
    }
}
