using System.Text;
using FlowActors.Containers.Output;

namespace FlowActors.Tests.Components;

/// <summary>
/// The bounds on a component's output, whichever runtime feeds it: lines cut with the rest counted and never held, a
/// per-minute line budget with a "suppressed" note, control characters escaped, the last stderr lines kept.
/// </summary>
[TestClass]
public sealed class ComponentOutputTests
{
    [TestMethod]
    public void ALineWithoutEnd_IsCutAtTheBound_AndTheRestCountedInBytes_WithoutBeingHeld()
    {
        var (output, lines, _, _) = Create(maxLineLength: 100);
        var chunk = Encoding.ASCII.GetBytes(new string('x', ComponentOutput.ChunkSize));
        var before = GC.GetAllocatedBytesForCurrentThread();

        for (var i = 0; i < 12_800; i++)
        {
            output.Append(chunk, isError: false); // 100 MiB, no newline
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.Append("\n"u8, isError: false);

        Assert.HasCount(1, lines);
        Assert.AreEqual($"{new string('x', 100)}… ({(12_800L * ComponentOutput.ChunkSize) - 100} more bytes)", lines[0].Text);
        Assert.IsLessThan(1024 * 1024, allocated, "Reading past the bound must not hold or copy what it skips.");
    }

    [TestMethod]
    public void Lines_SplitAcrossChunks_AndCrlf_ComeOutWhole()
    {
        var (output, lines, _, _) = Create();

        output.Append("first li"u8, isError: false);
        output.Append("ne\r"u8, isError: false);
        output.Append("\nsecond\nthi"u8, isError: false);
        output.Append("rd é\r\n"u8[..4], isError: false);
        output.Append("rd é\r\n"u8[4..], isError: false);
        output.End(isError: false);

        CollectionAssert.AreEqual(new[] { "first line", "second", "third é" }, lines.Select(l => l.Text).ToArray());
    }

    [TestMethod]
    public void ControlAndEscapeCharacters_AreWrittenAsVisibleEscapes()
    {
        var (output, lines, _, _) = Create();

        output.Append("\u001b[31mred\u001b[0m\tok\rfake\u202egnp.exe\u0000\u009b\n"u8.ToArray(), isError: true);

        Assert.AreEqual("\\x1b[31mred\\x1b[0m\tok\\x0dfake\\u202egnp.exe\\x00\\x9b", lines.Single().Text);
    }

    [TestMethod]
    public void OverTheLinesPerMinute_LinesAreSuppressed_AndCountedInOneNote_ThenTheNextMinuteLogsAgain()
    {
        var (output, lines, notes, time) = Create(linesPerMinute: 5);
        var many = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(1, 1000).Select(i => $"{i}\n")));

        output.Append(many.AsSpan(0, 2000), isError: true);
        output.Append(many.AsSpan(2000), isError: true);

        CollectionAssert.AreEqual(new[] { "1", "2", "3", "4", "5" }, lines.Select(l => l.Text).ToArray());
        Assert.IsEmpty(notes, "The note comes when the minute is over (or the output ends).");

        time.Advance(TimeSpan.FromMinutes(1));
        output.Append("later\n"u8, isError: false);

        CollectionAssert.AreEqual(new[] { 995L }, notes);
        Assert.AreEqual("later", lines[^1].Text);
        CollectionAssert.AreEqual(
            Enumerable.Range(991, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            output.LastErrorLines.ToArray(),
            "The last stderr lines are kept whether or not they reached the log.");
    }

    [TestMethod]
    public void AnOutputThatEnds_ReportsWhatItSuppressed()
    {
        var (output, _, notes, _) = Create(linesPerMinute: 1);

        output.Append("a\nb\nc"u8, isError: false);
        output.End(isError: false);

        CollectionAssert.AreEqual(new[] { 2L }, notes);
    }

    private static (ComponentOutput Output, List<(string Text, bool IsError)> Lines, List<long> Notes, ManualTime Time) Create(
        int maxLineLength = 2000, int linesPerMinute = 600)
    {
        var lines = new List<(string, bool)>();
        var notes = new List<long>();
        var time = new ManualTime();
        var output = new ComponentOutput(new ComponentOutputLimits(maxLineLength, linesPerMinute), time, (text, isError) => lines.Add((text, isError)), notes.Add);
        return (output, lines, notes, time);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
