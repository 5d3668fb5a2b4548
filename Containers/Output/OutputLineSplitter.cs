using System.Text;

namespace FlowActors.Containers.Output;

/// <summary>
/// Splits one output stream's bytes into lines, bounded: a line keeps at most <c>maxLength</c> characters (control
/// characters escaped by <see cref="LogText"/>, each escape counting in full) and the rest of it is only counted, in
/// bytes, never held; a component that writes a gigabyte without a newline costs this a line's worth of memory. A
/// trailing carriage return (CRLF) is dropped.
/// </summary>
internal sealed class OutputLineSplitter(int maxLength)
{
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly StringBuilder _line = new();
    private readonly char[] _chars = new char[Encoding.UTF8.GetMaxCharCount(ComponentOutput.ChunkSize)];
    private long _dropped;
    private bool _carriageReturn;

    /// <summary>Adds <paramref name="bytes"/> (at most <see cref="ComponentOutput.ChunkSize"/>); calls <paramref name="line"/> for each line they end.</summary>
    public void Append(ReadOnlySpan<byte> bytes, Action<string> line)
    {
        while (!bytes.IsEmpty)
        {
            var newline = bytes.IndexOf((byte)'\n');
            var segment = newline < 0 ? bytes : bytes[..newline];
            if (_carriageReturn && !segment.IsEmpty)
            {
                Add("\r"u8); // it was not the end of the line after all
            }

            _carriageReturn = !segment.IsEmpty && segment[^1] == (byte)'\r';
            Add(_carriageReturn ? segment[..^1] : segment);
            if (newline < 0)
            {
                return;
            }

            line(Take());
            bytes = bytes[(newline + 1)..];
        }
    }

    /// <summary>The unfinished last line, if any (the stream ended without a newline).</summary>
    public string? Flush() => _line.Length > 0 || _dropped > 0 || _carriageReturn ? Take() : null;

    private void Add(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        if (_line.Length >= maxLength)
        {
            _dropped += bytes.Length; // the line is full: the rest is counted without being decoded
            return;
        }

        var count = _decoder.GetChars(bytes, _chars, flush: false);
        for (var i = 0; i < count; i++)
        {
            if (_line.Length >= maxLength)
            {
                _dropped += Encoding.UTF8.GetByteCount(_chars.AsSpan(i, count - i));
                return;
            }

            LogText.AppendNeutralised(_line, _chars[i]);
        }
    }

    private string Take()
    {
        if (_line.Length > maxLength)
        {
            // The last escape went over the bound: cut it, and count what it stood for.
            _dropped += 1;
            _line.Length = maxLength;
        }

        var text = _dropped > 0 ? $"{_line}… ({_dropped} more bytes)" : _line.ToString();
        _line.Clear();
        _dropped = 0;
        _carriageReturn = false;
        _decoder.Reset();
        return text;
    }
}
