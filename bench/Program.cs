using FlowActors.Bench.Delivery;
using FlowActors.Bench.Failover;
using FlowActors.Bench.Flows;
using FlowActors.Bench.Harness;
using FlowActors.Bench.Mappings;
using FlowActors.Bench.Storage;
using FlowActors.Bench.Streams;
using FlowActors.Bench.Webhooks;

// Usage: dotnet run -c Release --project bench -- <suite>|all [--out <file.json>] [--messages N] [--scale 0.01]
// --messages sizes the telemetry suite's blocks (a smoke run: --messages 100) and the failover run (10,000 by default);
// --scale shrinks the delivery suite's runs. all runs every suite but failover, a chaos run of several minutes.
var messagesIndex = Array.IndexOf(args, "--messages");
int? messages = messagesIndex >= 0 && messagesIndex + 1 < args.Length && int.TryParse(args[messagesIndex + 1], out var n) && n > 0 ? n : null;
IBenchSuite[] suites = [new StreamsSuite(), new FlowsSuite(), new StorageSuite(), new TelemetrySuite(messages), new DeliverySuite(), new FailoverSuite(), new MappingsSuite(messages), new ParallelSuite(), new ReplayGuardSuite()];

var verb = args.FirstOrDefault() ?? "";
var selected = verb == "all" ? suites.Where(s => s.InAll).ToArray() : suites.Where(s => s.Name == verb).ToArray();
if (selected.Length == 0)
{
    Console.Error.WriteLine("usage: bench -- <suite>|all [--out <file.json>] [--messages N] [--scale 0.01]");
    foreach (var suite in suites)
    {
        Console.Error.WriteLine($"  {suite.Name,-10} {suite.Description}");
    }

    return 2;
}

#if DEBUG
Console.Error.WriteLine("warning: a Debug build; measure with -c Release");
#endif

var outIndex = Array.IndexOf(args, "--out");
var output = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine(BenchDirectory(), "results", "latest.json");

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

var results = new List<BenchResult>();
foreach (var suite in selected)
{
    results.AddRange(await suite.RunAsync(cancel.Token));
}

var machine = Machine.Current();
Console.WriteLine(Report.Markdown(machine, results));
await Report.WriteJsonAsync(output, machine, results, cancel.Token);
Console.WriteLine($"written: {output}");
return 0;

// The project folder, found from the build output, so results land in bench/results wherever it is run from.
static string BenchDirectory()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Bench.csproj")))
        {
            return dir.FullName;
        }
    }

    return Path.Combine(Directory.GetCurrentDirectory(), "bench");
}
