using System.Globalization;
using FlowActors.Bench.Harness;
using FlowActors.TestSupport.Failover;

namespace FlowActors.Bench.Failover;

/// <summary>
/// The long form of the suite's failover chaos test (<see cref="FailoverChaos"/>, the same code): 10,000 numbered
/// messages through an ordinary and a real-time flow on three silo processes on Azurite, one silo SIGKILLed a third
/// of the way in. Prints the counts and the recovery times; not part of <c>all</c>.
/// </summary>
internal sealed class FailoverSuite : IBenchSuite
{
    private const string SuiteName = "failover";

    public string Name => SuiteName;

    public string Description => "chaos: 3 silos on Azurite, a silo SIGKILLed mid-run; sent/delivered/duplicated/lost (--messages N, default 10,000)";

    public bool InAll => false;

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        var messages = MessagesArgument() ?? 10_000;
        // 200 a second per flow: the kill falls mid-run, and the senders never outrun what three loaded silos take.
        var plan = new ChaosPlan(messages, PerSecond: 200) { Drain = TimeSpan.FromMinutes(10) };
        Console.Error.WriteLine($"failover: {messages:N0} messages per flow at {plan.PerSecond}/s, a silo killed after {plan.KillAfter:P0} ...");
        var report = await FailoverChaos.RunAsync(plan, Console.Error, cancellationToken);

        var rows = new List<BenchResult>();
        foreach (var tally in new[] { report.Ordinary, report.Realtime })
        {
            var flow = $"{tally.Flow} flow, {messages:N0} messages, silo killed mid-run";
            rows.Add(BenchResult.Single(SuiteName, $"{flow}: sent", "messages", tally.SentCount));
            rows.Add(BenchResult.Single(SuiteName, $"{flow}: delivered", "messages", tally.DeliveredCount));
            rows.Add(BenchResult.Single(SuiteName, $"{flow}: duplicated", "messages", tally.Duplicated));
            rows.Add(BenchResult.Single(SuiteName, $"{flow}: lost", "messages", tally.Lost));
            rows.Add(BenchResult.Single(SuiteName, $"{flow}: error events", "messages", tally.ErrorEvents));
        }

        rows.Add(BenchResult.Single(SuiteName, "killed silo declared dead (membership table)", "s", report.DeclaredDead.TotalSeconds));
        rows.Add(BenchResult.Single(SuiteName, "real-time flow Running again on the survivors", "s", report.RealtimeRunning.TotalSeconds));
        rows.Add(BenchResult.Single(SuiteName, $"component processes of the killed silo alive 10 s later (of {report.VictimComponents})", "processes", report.OrphansAfter10s));
        return rows;
    }

    private static int? MessagesArgument()
    {
        var args = Environment.GetCommandLineArgs();
        var index = Array.IndexOf(args, "--messages");
        if (index < 0)
        {
            return null;
        }

        return index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"--messages expects a positive whole number of messages per flow (e.g. --messages 10000); got '{(index + 1 < args.Length ? args[index + 1] : "")}'.");
    }
}
