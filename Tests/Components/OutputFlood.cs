using System.Diagnostics;
using System.Globalization;
using FlowActors.Client;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;

namespace FlowActors.Tests.Components;

/// <summary>
/// A component that floods its output while it serves a real-time flow on a real silo: an escape-coloured line, then
/// <c>bytes</c> on stdout without a newline, then <c>lines</c> short lines on stderr, from a background writer beside
/// the sample <c>echo</c> component. Measures the silo's resident memory before and after and the log lines the flood
/// added, and sends a message through the flow afterwards. The suite runs a short form; bench/ the issue's full one.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class OutputFlood
{
    /// <summary>The silo's stdout/stderr lines whose text holds the component's output, by their EventIds (2210, 2211) and the note (2300).</summary>
    public static readonly string[] ComponentEvents = ["[2210]", "[2211]"];

    public const string SuppressedEvent = "[2300]";

    // The marker file is written by the component's user when the writer is done: the silo's log cannot say (it is
    // rate-limited by then), and the component keeps its pipes open while it serves.
    private const string Script = """
        ( printf '\033[31mred\033[0m and a bell\007\n' >&2
          head -c "$FLOOD_BYTES" /dev/zero | tr '\0' x; echo
          seq "$FLOOD_LINES" >&2
          echo done > "$FLOOD_DONE" ) &
        exec dotnet "$0" "$@"
        """;

    public static async Task<Result> RunAsync(SiloProcess silo, IFlowActorsClient client, long bytes, int lines, TimeSpan timeout)
    {
        var folder = Directory.CreateTempSubdirectory("flowactors-flood-").FullName;
        try
        {
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
            var done = Path.Combine(folder, "done");
            await File.WriteAllTextAsync(done, "");
            File.SetUnixFileMode(done, (UnixFileMode)0b110_110_110);

            // A warm silo first (a flow through echo), so that what is measured is the flood, not the first flow's cost.
            await client.DeployComponentAsync("echo", Silo.Samples.SampleDeployments.Echo());
            var warm = await SdkFlows.StartAsync(client, FlowDefinition.Chain("warm", new StepDefinition("answer", "echo", "echo")), FlowMode.Realtime, "warm");
            await AssertAnswersAsync(client, warm);
            await client.StopAsync(warm);
            var before = ResidentBytes(silo.ProcessId);
            var logBefore = silo.Output.Count;

            var environment = new Dictionary<string, string>
            {
                ["FLOOD_BYTES"] = bytes.ToString(CultureInfo.InvariantCulture),
                ["FLOOD_LINES"] = lines.ToString(CultureInfo.InvariantCulture),
                ["FLOOD_DONE"] = done,
            };
            await client.DeployComponentAsync("flood", new ComponentDeployment(
                new ComponentLaunch(null, "sh", ["-c", Script, "./FlowActors.SampleComponents.dll", "echo"], environment),
                new ComponentDescriptor([], ["echo"])));
            var clock = Stopwatch.StartNew();
            var flowId = await SdkFlows.StartAsync(client, FlowDefinition.Chain("flood", new StepDefinition("flood", "flood", "echo")), FlowMode.Realtime, "flood");
            var peak = before;
            while ((await File.ReadAllTextAsync(done)).Trim() != "done")
            {
                Assert.IsLessThan(timeout, clock.Elapsed, $"The flood did not end within {timeout}:\n{silo.RecentOutput}");
                peak = Math.Max(peak, ResidentBytes(silo.ProcessId));
                await Task.Delay(100);
            }

            var flooded = clock.Elapsed;
            await AssertAnswersAsync(client, flowId);
            var after = ResidentBytes(silo.ProcessId);
            var added = silo.Output.Skip(logBefore).ToList();
            await client.StopAsync(flowId);
            return new Result(before, Math.Max(peak, after), after, added, flooded);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>VmRSS of a process, in bytes.</summary>
    public static long ResidentBytes(int processId) =>
        File.ReadLines($"/proc/{processId}/status")
            .Where(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(line => long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024)
            .Single();

    private static async Task AssertAnswersAsync(IFlowActorsClient client, string flowId)
    {
        var reply = await client.SendAndWaitAsync(flowId, """{"name":"ada"}""", TimeSpan.FromSeconds(30));
        Assert.IsFalse(reply.TimedOut || reply.Failed, $"Flow {flowId} did not answer: {reply.Event?.Error}");
    }

    /// <param name="Before">The silo's RSS before the flood.</param>
    /// <param name="Peak">The highest RSS seen while it flooded.</param>
    /// <param name="After">RSS once the flood was over and a message went through.</param>
    /// <param name="Added">The silo's output lines since before the flood.</param>
    /// <param name="Flooded">How long the flood took.</param>
    public sealed record Result(long Before, long Peak, long After, IReadOnlyList<string> Added, TimeSpan Flooded);
}
