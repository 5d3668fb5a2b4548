namespace FlowActors.Grains.Webhooks;

/// <summary>
/// What an <c>httpReply</c> emit may hold so that it can be written as an HTTP response: a final status (200-599) and
/// headers whose names are HTTP tokens and whose values are visible ASCII, all of them together within
/// <see cref="MaxTotalBytes"/> (clients and proxies refuse larger header blocks: nginx's default buffer is 4-8 KiB). A reply
/// that breaks a rule is an error of its execution, named when the step receives it, rather than a 500 or a silent 200
/// at the webhook.
/// </summary>
public static class HttpReplyRules
{
    public const int MaxHeaders = 64;
    public const int MaxNameLength = 256;
    public const int MaxValueLength = 8 * 1024;

    /// <summary>The most bytes all of a reply's headers may take, counted as on the wire (<c>name: value</c> and a line break each).</summary>
    public const int MaxTotalBytes = 16 * 1024;

    /// <summary>Why <paramref name="status"/> and <paramref name="headers"/> cannot be an HTTP response, or null when they can.</summary>
    public static string? Problem(int status, IReadOnlyDictionary<string, string>? headers)
    {
        if (status is < 200 or > 599)
        {
            return $"status {status} is not a final HTTP status; use 200 to 599.";
        }

        if (headers is null)
        {
            return null;
        }

        if (headers.Count > MaxHeaders)
        {
            return $"it has {headers.Count} headers; at most {MaxHeaders} are allowed.";
        }

        var total = 0;
        foreach (var (name, value) in headers)
        {
            if (!IsToken(name))
            {
                return $"header name '{Shorten(name)}' is not an HTTP token (1-{MaxNameLength} letters, digits or !#$%&'*+-.^_`|~).";
            }

            if (value is null || value.Length > MaxValueLength)
            {
                return $"header '{name}' has {(value is null ? "no value" : $"a value of {value.Length} characters; at most {MaxValueLength} are allowed")}.";
            }

            var bad = value.AsSpan().IndexOfAnyExcept(VisibleAscii);
            if (bad >= 0)
            {
                return $"header '{name}' has a character outside visible ASCII (U+{(int)value[bad]:X4}) at position {bad}; encode the value (e.g. RFC 8187 or percent-encoding).";
            }

            total += name.Length + value.Length + 4;
        }

        if (total > MaxTotalBytes)
        {
            return $"its headers take {total} bytes; at most {MaxTotalBytes} are allowed in all.";
        }

        return null;
    }

    /// <summary>An HTTP token (RFC 9110, 5.6.2) of at most <see cref="MaxNameLength"/> characters.</summary>
    public static bool IsToken(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && name.AsSpan().IndexOfAnyExcept(TokenCharacters) < 0;

    private static readonly System.Buffers.SearchValues<char> TokenCharacters =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly System.Buffers.SearchValues<char> VisibleAscii =
        System.Buffers.SearchValues.Create("\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
