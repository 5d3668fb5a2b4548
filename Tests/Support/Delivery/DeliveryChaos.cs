using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using FlowActors.Client;
using FlowActors.Grains.Interfaces.Flows;

namespace FlowActors.TestSupport.Delivery;

/// <summary>What goes wrong during a delivery chaos run.</summary>
/// <param name="Messages">How many messages are sent.</param>
/// <param name="MessageTime">How long the counting component takes per message.</param>
/// <param name="KillEvery">Kill -9 the counting step's component process this often (null: never).</param>
/// <param name="StallAfter">Stop (SIGSTOP) the counting step's process once, this long after the first message (null: never).</param>
/// <param name="StallFor">How long the stall lasts before SIGCONT.</param>
/// <param name="TransientEvery">Every n-th message is rebounded on its first tries (0: none).</param>
/// <param name="TransientTries">How many tries such a message is rebounded before it goes through.</param>
/// <param name="PoisonEvery">Every n-th message is refused as poison (0: none).</param>
public sealed record ChaosPlan(
    int Messages,
    TimeSpan MessageTime,
    TimeSpan? KillEvery = null,
    TimeSpan? StallAfter = null,
    TimeSpan StallFor = default,
    int TransientEvery = 0,
    int TransientTries = 1,
    int PoisonEvery = 0)
{
    public bool IsPoison(int n) => PoisonEvery > 0 && n % PoisonEvery == PoisonEvery - 1;

    public bool IsTransient(int n) => !IsPoison(n) && TransientEvery > 0 && n % TransientEvery == 0;

    public int ExpectedPoison => Enumerable.Range(0, Messages).Count(IsPoison);
}

/// <summary>
/// The counts of a chaos run, as the issue asks for them: what was sent, how each message ended (by its execution's
/// events), what the steps dropped as duplicates, and what the counting component did (its ledger).
/// </summary>
public sealed record ChaosCount(
    int Sent,
    int Completed,
    int DeadLettered,
    int Failed,
    int DuplicatesDropped,
    int Lost,
    int DuplicateOutputs,
    int Effects,
    int DoubleEffects,
    int RepeatCalls,
    int CompletedWithoutEffect,
    int Kills,
    TimeSpan Elapsed)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"sent {Sent} | completed {Completed} | dead-lettered {DeadLettered} | failed {Failed} | duplicates dropped {DuplicatesDropped} | " +
        $"lost {Lost} | duplicate outputs {DuplicateOutputs} | effects {Effects} (double {DoubleEffects}, repeat calls {RepeatCalls}, " +
        $"completed without effect {CompletedWithoutEffect}) | kills {Kills} | {Elapsed.TotalSeconds:0.0} s");
}

/// <summary>
/// Runs one chaos scenario against a flow <c>count</c> (counting component) → <c>done</c> (echo) that already runs,
/// and counts. Shared by the short forms in the test suite and the long forms in <c>bench -- delivery</c>.
/// </summary>
public static class DeliveryChaos
{
    /// <summary>The two-step flow the scenario drives; <paramref name="ledger"/> is the counting component's directory.</summary>
    public static FlowDefinition Flow(string ledger, TimeSpan messageTime, DeliveryPolicy? delivery = null) => new(
        "delivery chaos",
        [
            new StepDefinition("count", "counting", "count",
                $$"""{"ledger":{{System.Text.Json.JsonSerializer.Serialize(ledger)}},"ms":{{(long)messageTime.TotalMilliseconds}}}"""),
            new StepDefinition("done", "echo", "echo"),
        ],
        [new FlowEdge("count", "done")],
        delivery);

    /// <summary>
    /// A new, empty ledger directory, writable by everyone: component processes run as an unprivileged user of their own.
    /// </summary>
    public static string NewLedger()
    {
        var ledger = Directory.CreateTempSubdirectory("flowactors-ledger-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(ledger, (UnixFileMode)0b111_111_111);
        }

        return ledger;
    }

    /// <param name="flow">The running flow.</param>
    /// <param name="events">
    /// Reads its events, from a subscription made before the first message (capacity at least the message count × 2).
    /// </param>
    /// <param name="duplicatesDropped">The steps' count of dropped duplicates so far.</param>
    /// <param name="settle">How long to wait for the last message's end after the last send.</param>
    public static async Task<ChaosCount> RunAsync(
        IFlowGrain flow, Func<CancellationToken, IAsyncEnumerable<FlowEvent>> events, string ledger, ChaosPlan plan, Func<int> duplicatesDropped, TimeSpan settle,
        Action<string>? log = null)
    {
        var dropsBefore = duplicatesDropped();
        var clock = Stopwatch.StartNew();
        using var chaos = new CancellationTokenSource();
        var kills = new StrongBox<int>();
        var troublemaker = Task.Run(async () =>
        {
            try
            {
                await MakeTroubleAsync(flow, plan, kills, log, chaos.Token);
            }
            catch (OperationCanceledException)
            {
            }
        });

        // Sent a few at a time, like callers would; the execution ids are the messages' ids at the first step.
        var executions = new string[plan.Messages];
        var body = (int n) => string.Create(CultureInfo.InvariantCulture,
            $$"""{"n":{{n}}{{(plan.IsTransient(n) ? $",\"transient\":{plan.TransientTries}" : "")}}{{(plan.IsPoison(n) ? ",\"poison\":true" : "")}}}""");
        // Past the flow's backlog (FlowActors:Flows:MaxInFlight) a send is refused: the sender waits Retry-After and sends
        // the same message again, as a well-behaved caller does (events are buffered meanwhile).
        await Parallel.ForAsync(0, plan.Messages, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, _) =>
        {
            var message = FlowMessage.Create(body(n));
            while (true)
            {
                try
                {
                    executions[n] = await flow.SendAsync(message);
                    return;
                }
                catch (FlowBusyException busy)
                {
                    await Task.Delay(busy.RetryAfter);
                }
            }
        });

        var outputs = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var wanted = new HashSet<string>(executions, StringComparer.Ordinal);
        using (var deadline = new CancellationTokenSource(settle + (plan.MessageTime * plan.Messages)))
        {
            try
            {
                await foreach (var e in events(deadline.Token))
                {
                    if (!wanted.Contains(e.ExecutionId))
                    {
                        continue;
                    }

                    if (e.Kind == FlowEventKind.Output)
                    {
                        outputs[e.ExecutionId] = outputs.GetValueOrDefault(e.ExecutionId) + 1;
                    }
                    else if (e.Kind == FlowEventKind.Error)
                    {
                        errors.TryAdd(e.ExecutionId, e.Error ?? "");
                    }

                    if (outputs.Count + errors.Count(p => !outputs.ContainsKey(p.Key)) >= plan.Messages)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                log?.Invoke($"deadline: {outputs.Count} outputs and {errors.Count} errors of {plan.Messages}");
            }
        }

        await chaos.CancelAsync();
        await troublemaker;

        var effectLines = ReadLines(ledger, "effects.log");
        var effects = new HashSet<string>(effectLines, StringComparer.Ordinal);
        var deadLettered = errors.Count(p => !outputs.ContainsKey(p.Key) && (p.Value.Contains("dead-lettered", StringComparison.Ordinal) || p.Value.Contains("poison", StringComparison.Ordinal)));
        var failed = errors.Count(p => !outputs.ContainsKey(p.Key)) - deadLettered;
        foreach (var (execution, error) in errors.Where(p => !outputs.ContainsKey(p.Key) && !p.Value.Contains("poison", StringComparison.Ordinal)).Take(3))
        {
            log?.Invoke($"error {execution}: {error}");
        }

        return new ChaosCount(
            Sent: plan.Messages,
            Completed: outputs.Count,
            DeadLettered: deadLettered,
            Failed: failed,
            DuplicatesDropped: duplicatesDropped() - dropsBefore,
            Lost: executions.Count(id => !outputs.ContainsKey(id) && !errors.ContainsKey(id)),
            DuplicateOutputs: outputs.Values.Sum(n => n - 1),
            Effects: effects.Count,
            DoubleEffects: effectLines.Length - effects.Count,
            RepeatCalls: ReadLines(ledger, "repeats.log").Length,
            CompletedWithoutEffect: outputs.Keys.Count(id => !effects.Contains(id)),
            Kills: kills.Value,
            Elapsed: clock.Elapsed);
    }

    /// <summary>Kills the counting step's process every so often (counting in <paramref name="kills"/>), and stalls it once.</summary>
    private static async Task MakeTroubleAsync(IFlowGrain flow, ChaosPlan plan, StrongBox<int> kills, Action<string>? log, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var stalled = plan.StallAfter is null;
        while (!cancellationToken.IsCancellationRequested && (plan.KillEvery is not null || !stalled))
        {
            var wait = plan.KillEvery ?? plan.StallAfter!.Value;
            if (!stalled && plan.StallAfter is { } after)
            {
                wait = after - started.Elapsed;
            }

            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken);
            if (await CountingProcessAsync(flow) is not { } pid)
            {
                continue;
            }

            if (!stalled)
            {
                stalled = true;
                log?.Invoke($"stall: SIGSTOP {pid} for {plan.StallFor.TotalSeconds:0.#} s");
                Signal("STOP", pid);
                try
                {
                    await Task.Delay(plan.StallFor, cancellationToken);
                }
                finally
                {
                    Signal("CONT", pid);
                }

                continue;
            }

            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                kills.Value++;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone already (replaced meanwhile).
            }
        }
    }

    private static async Task<int?> CountingProcessAsync(IFlowGrain flow)
    {
        var status = await flow.GetStatusAsync();
        var containerId = status.Steps.FirstOrDefault(s => s.StepId == "count")?.ContainerId;
        return containerId is not null && containerId.StartsWith("process-", StringComparison.Ordinal)
            ? int.Parse(containerId["process-".Length..], CultureInfo.InvariantCulture)
            : null;
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardError = true })!;
        kill.WaitForExit();
    }

    private static string[] ReadLines(string ledger, string file)
    {
        var path = Path.Combine(ledger, file);
        return File.Exists(path) ? File.ReadAllLines(path).Where(line => line.Length > 0).ToArray() : [];
    }
}
