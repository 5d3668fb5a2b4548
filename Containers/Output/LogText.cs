using System.Globalization;
using System.Text;

namespace FlowActors.Containers.Output;

/// <summary>
/// Makes a component's output safe to put in the silo's log: control characters (C0 but tab, DEL, C1: ESC sequences
/// that recolour or rewrite a terminal, carriage returns that overwrite a line, NUL) and the Unicode controls that
/// reorder text (bidirectional embeddings, overrides and isolates) are written as visible escapes, <c>\x1b</c> or
/// <c>\u202e</c>, so a line in the log shows what the component wrote and can fake nothing.
/// </summary>
public static class LogText
{
    /// <summary>Appends <paramref name="c"/> to <paramref name="text"/>, escaped when it is a control character.</summary>
    public static void AppendNeutralised(StringBuilder text, char c)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (c == '\t' || !NeedsEscape(c))
        {
            text.Append(c);
        }
        else if (c <= '\u00ff')
        {
            text.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
    }

    /// <summary><paramref name="line"/> with every control character escaped.</summary>
    public static string Neutralise(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!line.Any(c => c != '\t' && NeedsEscape(c)))
        {
            return line;
        }

        var text = new StringBuilder(line.Length + 16);
        foreach (var c in line)
        {
            AppendNeutralised(text, c);
        }

        return text.ToString();
    }

    private static bool NeedsEscape(char c) =>
        char.IsControl(c) // U+0000-U+001F, U+007F-U+009F
        || c is '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');
}
