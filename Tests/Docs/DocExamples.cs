using System.Text;
using System.Text.RegularExpressions;

namespace FlowActors.Tests.Docs;

/// <summary>
/// The examples of a Markdown page that a test applies: a fenced block preceded by <c>&lt;!-- doc-test: KIND NAME --&gt;</c>
/// (an HTML comment, invisible when the page is rendered). The block is taken as it is written.
/// </summary>
internal sealed partial record DocExample(string Kind, string Name, string Text, string Source)
{
    [GeneratedRegex(@"^<!-- doc-test: (\S+) (\S+) -->$")]
    private static partial Regex Marker();

    public static IReadOnlyList<DocExample> Read(string path, string shownAs)
    {
        var lines = File.ReadAllLines(path);
        var examples = new List<DocExample>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (Marker().Match(lines[i].Trim()) is not { Success: true } marker)
            {
                continue;
            }

            var source = $"{shownAs}:{i + 1}";
            var fence = i + 1;
            if (fence >= lines.Length || !lines[fence].StartsWith("```", StringComparison.Ordinal))
            {
                Assert.Fail($"{source}: a doc-test marker must be followed at once by a fenced code block.");
            }

            var text = new StringBuilder();
            var end = fence + 1;
            for (; end < lines.Length && !lines[end].StartsWith("```", StringComparison.Ordinal); end++)
            {
                text.AppendLine(lines[end]);
            }

            examples.Add(new DocExample(marker.Groups[1].Value, marker.Groups[2].Value, text.ToString(), source));
            i = end;
        }

        return examples;
    }
}
