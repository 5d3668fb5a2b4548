using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Silo.Hosting.Azure;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Processes;
using FlowActors.TestSupport.Silos;

namespace FlowActors.TestSupport.Failover;

/// <summary>How a failover chaos run goes: how many numbered messages per flow, how fast, when the silo dies.</summary>
/// <param name="Messages">Numbered messages sent through each flow (the ordinary one and the real-time one).</param>
/// <param name="PerSecond">Sending pace per flow, so that the kill falls mid-run rather than after a burst.</param>
/// <param name="KillAfter">The share of the ordinary flow's messages sent before the silo is killed.</param>
/// <param name="Graceful">Stop the silo with SIGTERM (an operator's stop, a rolling upgrade) rather than SIGKILL (a crash).</param>
public sealed record ChaosPlan(int Messages, int PerSecond, double KillAfter = 1.0 / 3, bool Graceful = false)
{
    /// <summary>
    /// How long without a new output counts as settled, once everything is sent and the real-time flow runs again.
    /// Longer than the durable queues' visibility timeout: ordinary messages the stopped silo took but did not deliver
    /// come back only then, and counting them lost before would be counting too early.
    /// </summary>
    public TimeSpan Settle { get; init; } = AzureProfile.DurableMessageVisibility + TimeSpan.FromSeconds(10);

    /// <summary>The most the outputs are waited for once everything is sent: then the counts are what they are.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>What a chaos run measured.</summary>
/// <param name="DeclaredDead">From the kill (or the SIGTERM) until the membership table no longer lists the silo as active.</param>
/// <param name="RealtimeRunning">From the kill until the real-time flow runs again with every step on a living component.</param>
/// <param name="OrphansAfter10s">Component processes of the killed silo still alive 10 s after the kill.</param>
public sealed record ChaosReport(
    NumberedTally Ordinary,
    NumberedTally Realtime,
    TimeSpan DeclaredDead,
    TimeSpan RealtimeRunning,
    int VictimComponents,
    int OrphansAfter10s,
    TimeSpan Total)
{
    public string ToTable()
    {
        var table = new StringBuilder();
        table.AppendLine("| flow | sent | delivered | duplicated | lost | error events | sends retried |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var t in new[] { Ordinary, Realtime })
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {t.Flow} | {t.SentCount} | {t.DeliveredCount} | {t.Duplicated} | {t.Lost} | {t.ErrorEvents} | {t.Resends} |");
        }

        table.AppendLine(CultureInfo.InvariantCulture,
            $"the silo left the membership (no longer Active) after {DeclaredDead.TotalSeconds:F1} s; real-time flow Running again after {RealtimeRunning.TotalSeconds:F1} s; " +
            $"its {VictimComponents} component process(es): {OrphansAfter10s} alive 10 s after the kill; run took {Total.TotalSeconds:F1} s");
        return table.ToString();
    }
}

/// <summary>
/// The failover chaos run: three <c>Silo</c> processes in the Azure profile on Azurite with local-process components,
/// numbered messages through an ordinary flow and a real-time flow (transform → echo), and the silo that hosts the
/// real-time flow's components killed with SIGKILL mid-run. Nothing here retries what the runtime lost: a send that
/// failed at the client is sent again (as any caller would), which is where duplicates may come from.
/// Shared by the suite's short form and <c>bench -- failover</c>'s long one.
/// </summary>
public static class FailoverChaos
{
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromMinutes(2);

    public static async Task<ChaosReport> RunAsync(ChaosPlan plan, TextWriter log, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        await using var cluster = await AzureSiloCluster.StartAsync(3);
        await WaitForActiveAsync(cluster, 3, TimeSpan.FromSeconds(60));
        await using var sdk = await SdkHost.StartAsync(cluster.ConfigureClient);
        var client = sdk.Client;
        await client.DeployComponentAsync("transform", SampleDeployments.Transform(), cancellationToken);
        await client.DeployComponentAsync("echo", SampleDeployments.Echo(), cancellationToken);
        var ordinaryId = await StartFlowAsync(client, FlowMode.Ordinary, cancellationToken);
        var realtimeId = await StartFlowAsync(client, FlowMode.Realtime, cancellationToken);
        log.WriteLine($"cluster {cluster.ClusterId} up, flows {ordinaryId} (ordinary) and {realtimeId} (real-time) running after {total.Elapsed.TotalSeconds:F1} s");

        // The victim: the silo that runs most of the real-time flow's components.
        var realtimePids = (await client.GetStatusAsync(realtimeId, cancellationToken)).Steps.Select(s => ContainerProcesses.Pid(s.ContainerId!)).ToHashSet();
        var victim = cluster.Silos.MaxBy(s => SiloProcess.ChildPids(s.ProcessId).Count(realtimePids.Contains))!;

        var ordinary = new NumberedTally("ordinary", plan.Messages);
        var realtime = new NumberedTally("real-time", plan.Messages);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var collectors = new[]
        {
            await CollectAsync(client, ordinaryId, ordinary, stop.Token),
            await CollectAsync(client, realtimeId, realtime, stop.Token),
        };

        var killed = new TaskCompletionSource<(Stopwatch Clock, IReadOnlyList<int> Components)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var killAt = (int)(plan.Messages * plan.KillAfter);
        var senders = new[]
        {
            SendAsync(client, ordinaryId, ordinary, plan, n => { if (n == killAt) { _ = KillAsync(); } }, stop.Token),
            SendAsync(client, realtimeId, realtime, plan, _ => { }, stop.Token),
        };

        // In the background: the senders go on while a SIGTERMed silo hands its work over.
        async Task KillAsync()
        {
            try
            {
                var components = SiloProcess.ChildPids(victim.ProcessId);
                var clock = Stopwatch.StartNew();
                var how = plan.Graceful ? "stopped (SIGTERM)" : "killed (SIGKILL)";
                log.WriteLine($"{how} silo {victim.SiloPort} (PID {victim.ProcessId}, {components.Count} component processes) at message {killAt}");
                if (plan.Graceful)
                {
                    var exit = await victim.StopAsync(TimeSpan.FromSeconds(60));
                    log.WriteLine($"the stopped silo exited with {exit} after {clock.Elapsed.TotalSeconds:F1} s");
                }
                else
                {
                    await victim.KillAloneAsync();
                }

                killed.SetResult((clock, components));
            }
            catch (Exception e)
            {
                killed.TrySetException(e);
            }
        }

        try
        {
            var (sinceKill, victimComponents) = await killed.Task.WaitAsync(RecoveryLimit, cancellationToken);
            var orphansCheck = CountOrphansAfterAsync(victimComponents, TimeSpan.FromSeconds(10) - sinceKill.Elapsed);
            var declaredDead = WaitForActiveAsync(cluster, 2, RecoveryLimit).ContinueWith(_ => sinceKill.Elapsed, TaskScheduler.Default);
            var realtimeRunning = await WaitRealtimeRecoveredAsync(client, realtimeId, victimComponents, sinceKill, cancellationToken);
            log.WriteLine($"real-time flow Running again {realtimeRunning.TotalSeconds:F1} s after the kill");

            await Task.WhenAll(senders);
            log.WriteLine($"all sent after {total.Elapsed.TotalSeconds:F1} s: {ordinary}; {realtime}");
            await WaitSettledAsync([ordinary, realtime], plan, log, cancellationToken);
            await stop.CancelAsync();
            await Task.WhenAll(collectors.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default)));

            var report = new ChaosReport(ordinary, realtime, await declaredDead, realtimeRunning, victimComponents.Count, await orphansCheck, total.Elapsed);
            log.WriteLine(report.ToTable());
            return report;
        }
        catch (OperationCanceledException)
        {
            log.WriteLine($"cancelled after {total.Elapsed.TotalSeconds:F1} s: {ordinary}; {realtime}");
            throw;
        }
    }

    private static async Task<string> StartFlowAsync(IFlowActorsClient client, FlowMode mode, CancellationToken cancellationToken)
    {
        var flowId = $"chaos-{(mode == FlowMode.Ordinary ? "ord" : "rt")}-{Guid.NewGuid():N}"[..24];
        await client.SaveDraftAsync(flowId, FlowDefinition.Chain(
            "chaos",
            new StepDefinition("shout", "transform", "uppercase", """{"field":"name"}"""),
            new StepDefinition("answer", "echo", "echo")), cancellationToken);
        await client.PublishAsync(flowId, cancellationToken);
        await client.SetModeAsync(flowId, mode, cancellationToken);
        await client.StartAsync(flowId, cancellationToken);
        await client.WaitUntilRunningAsync(flowId, TimeSpan.FromSeconds(60), cancellationToken);
        return flowId;
    }

    /// <summary>Follows the flow (subscribed before the first send) and counts its outputs by the number in their body.</summary>
    private static async Task<Task> CollectAsync(IFlowActorsClient client, string flowId, NumberedTally tally, CancellationToken cancellationToken)
    {
        var events = await client.FollowSubscribedAsync(flowId, cancellationToken);
        return Task.Run(async () =>
        {
            await foreach (var e in events.WithCancellation(cancellationToken))
            {
                if (e.Kind == FlowEventKind.Output && e.Message is { } output)
                {
                    tally.Delivered(NumberOf(output.Body));
                }
                else
                {
                    tally.ErrorEvent();
                }
            }
        }, CancellationToken.None);
    }

    /// <summary>The transform step uppercased <c>{"name":"m123"}</c> to <c>{"name":"M123"}</c>.</summary>
    private static int NumberOf(string body)
    {
        using var json = JsonDocument.Parse(body);
        var name = json.RootElement.TryGetProperty("name", out var value) ? value.GetString() : null;
        return name is ['M', .. var digits] && int.TryParse(digits, CultureInfo.InvariantCulture, out var n) ? n : -1;
    }

    private static async Task SendAsync(
        IFlowActorsClient client, string flowId, NumberedTally tally, ChaosPlan plan, Action<int> before, CancellationToken cancellationToken)
    {
        var pace = Stopwatch.StartNew();
        using var inFlight = new SemaphoreSlim(32);
        var sends = new List<Task>(plan.Messages);
        for (var n = 0; n < plan.Messages; n++)
        {
            before(n);
            var due = TimeSpan.FromSeconds((double)n / plan.PerSecond) - pace.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }

            await inFlight.WaitAsync(cancellationToken);
            sends.Add(SendOneAsync(n));
        }

        await Task.WhenAll(sends);

        async Task SendOneAsync(int n)
        {
            try
            {
                var deadline = Stopwatch.StartNew();
                while (true)
                {
                    try
                    {
                        await client.SendAsync(flowId, $$"""{"name":"m{{n}}"}""", cancellationToken: cancellationToken);
                        tally.Sent(n);
                        return;
                    }
                    catch (Exception) when (deadline.Elapsed < RecoveryLimit && !cancellationToken.IsCancellationRequested)
                    {
                        // The flow's grain was on the killed silo, or the client's gateway was: the caller sends again.
                        tally.Resent();
                        await Task.Delay(200, cancellationToken);
                    }
                }
            }
            finally
            {
                inFlight.Release();
            }
        }
    }

    /// <summary>
    /// Waits until the real-time flow runs with every step ready on a living component process that is not one of the
    /// killed silo's; returns the time since the kill.
    /// </summary>
    private static async Task<TimeSpan> WaitRealtimeRecoveredAsync(
        IFlowActorsClient client, string flowId, IReadOnlyList<int> victimComponents, Stopwatch sinceKill, CancellationToken cancellationToken)
    {
        var dead = victimComponents.ToHashSet();
        FlowStatus? status = null;
        while (sinceKill.Elapsed < RecoveryLimit)
        {
            try
            {
                // A call to a grain of the dead silo waits until the silo is declared dead: ask again rather than wait.
                status = await client.GetStatusAsync(flowId, cancellationToken).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
                if (status.Lifecycle == FlowLifecycle.Running && status.Steps.All(s =>
                        s.Phase == StepPhase.Ready && s.ContainerId is { } id && !dead.Contains(ContainerProcesses.Pid(id)) && ContainerProcesses.IsAlive(ContainerProcesses.Pid(id))))
                {
                    return sinceKill.Elapsed;
                }
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // not answering yet
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The real-time flow {flowId} was not running again {RecoveryLimit} after the kill: {status}");
    }

    private static async Task<int> CountOrphansAfterAsync(IReadOnlyList<int> pids, TimeSpan wait)
    {
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        return pids.Count(ContainerProcesses.IsAlive);
    }

    /// <summary>
    /// Waits until every flow delivered every number it sent, or nothing new came for <see cref="ChaosPlan.Settle"/>, or
    /// <see cref="ChaosPlan.Drain"/> is over; says where the counts stand every 5 s.
    /// </summary>
    private static async Task WaitSettledAsync(NumberedTally[] tallies, ChaosPlan plan, TextWriter log, CancellationToken cancellationToken)
    {
        var last = -1;
        var unchanged = Stopwatch.StartNew();
        var drain = Stopwatch.StartNew();
        var progress = Stopwatch.StartNew();
        while (unchanged.Elapsed < plan.Settle && drain.Elapsed < plan.Drain)
        {
            var outputs = tallies.Sum(t => t.DeliveredCount + t.Duplicated);
            if (tallies.All(t => t.Lost == 0 && t.SentCount == t.Count))
            {
                return;
            }

            if (outputs != last)
            {
                last = outputs;
                unchanged.Restart();
            }

            if (progress.Elapsed > TimeSpan.FromSeconds(5))
            {
                log.WriteLine($"draining for {drain.Elapsed.TotalSeconds:F0} s: {string.Join("; ", tallies.Select(t => t.ToString()))}");
                progress.Restart();
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private static async Task WaitForActiveAsync(AzureSiloCluster cluster, int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while ((await cluster.ActiveSilosAsync()).Count != count)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The membership table did not list {count} active silos within {timeout}.");
            }

            await Task.Delay(200);
        }
    }
}
