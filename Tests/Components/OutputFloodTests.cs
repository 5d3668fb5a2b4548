using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;

namespace FlowActors.Tests.Components;

/// <summary>
/// A component cannot flood the silo: a real <c>Silo</c> process with its default output bounds serves a real-time flow
/// through a component that writes 1 GB without a newline and a million lines. The silo's memory stays within 100 MB of what it was, its log grows by at most the
/// documented bound (600 lines a minute of at most 2,000 characters, plus a note), escapes reach the log as text, and
/// the flow keeps answering.
/// </summary>
[TestClass]
[SupportedOSPlatform("linux")]
public sealed partial class OutputFloodTests
{
    private const long Bytes = 1_000_000_000;
    private const int Lines = 1_000_000;
    private const int LinesPerMinute = 600;
    private const int MaxLineLength = 2000;

    [TestMethod]
    public async Task ComponentFloodingItsOutput_LeavesTheSilosMemoryAndLogBounded_AndItsFlowWorking()
    {
        await using var silo = await SiloProcess.StartAsync();
        await using var sdk = await SdkHost.StartAsync(silo);

        var flood = await OutputFlood.RunAsync(silo, sdk.Client, Bytes, Lines, TimeSpan.FromSeconds(120));

        var growth = flood.Peak - flood.Before;
        Console.WriteLine($"RSS before {flood.Before / 1048576} MB, peak {flood.Peak / 1048576} MB, after {flood.After / 1048576} MB; {flood.Added.Count} log lines added; flood took {flood.Flooded.TotalSeconds:0.0} s");
        Assert.IsLessThan(100L * 1024 * 1024, growth, $"RSS {flood.Before / 1048576} MB before, {flood.Peak / 1048576} MB at most while it flooded.");

        var entries = flood.Added.Count(line => OutputFlood.ComponentEvents.Any(line.Contains));
        Assert.IsLessThanOrEqualTo(LinesPerMinute, entries, "More component lines reached the log than a minute's budget.");
        var characters = flood.Added.Sum(line => (long)line.Length + 1);
        Assert.IsLessThan((long)LinesPerMinute * (MaxLineLength + 300), characters, "The log grew past the documented bound.");

        Assert.IsTrue(flood.Added.Any(line => line.Contains(@"\x1b[31mred\x1b[0m and a bell\x07", StringComparison.Ordinal)), "The escaped line is missing.");
        Assert.IsFalse(flood.Added.Any(line => line.Contains('\u001b') || line.Contains('\u0007')), "A raw control character reached the log.");
        Assert.IsTrue(flood.Added.Any(line => line.Contains($"{new string('x', MaxLineLength)}… ({Bytes - MaxLineLength} more bytes)", StringComparison.Ordinal)),
            "The long line should be cut at 2,000 characters with the rest counted.");

        // Stopping the flow ended the component: its output ended, and the note says how much was held back.
        var note = await WaitForAsync(silo, SuppressedNote());
        Assert.IsGreaterThanOrEqualTo(Lines - LinesPerMinute, long.Parse(note.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<Match> WaitForAsync(SiloProcess silo, Regex pattern)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (silo.Output.Select(line => pattern.Match(line)).FirstOrDefault(match => match.Success) is { } match)
            {
                return match;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The silo never logged /{pattern}/:\n{silo.RecentOutput}");
        return null!;
    }

    [GeneratedRegex(@"Suppressed (\d+) lines of the output of component process")]
    private static partial Regex SuppressedNote();
}
