using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FlowActors.Grains.Webhooks;

/// <summary>
/// What a webhook request presents, checked against the flow's secret. Pure, and constant-time where it matters.
/// Two schemes:
/// <list type="bullet">
/// <item>signed (recommended): <c>X-Webhook-Timestamp</c> (Unix seconds) and <c>X-Webhook-Signature: sha256=&lt;hex&gt;</c>,
/// the HMAC-SHA256, keyed with the secret, of <c>{timestamp}\n{METHOD}\n{path?query}\n{body}</c>. A signature is worth
/// one request: to this method, path, query and body, within the tolerance window, once.</item>
/// <item>shared secret (weaker): the secret itself in <c>X-Webhook-Secret</c>. Whoever sees one request can send any
/// other until the secret is rotated; use it only where the sender cannot sign.</item>
/// </list>
/// </summary>
public static class WebhookCredentials
{
    public const string SignaturePrefix = "sha256=";

    /// <summary>A new secret: 32 random bytes, hex.</summary>
    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>True when <paramref name="presented"/> is the secret.</summary>
    public static bool SecretMatches(byte[] secret, string? presented) =>
        !string.IsNullOrEmpty(presented) && presented.Length <= 256 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), secret);

    /// <summary>The Unix time in seconds that <paramref name="header"/> holds, or null when it holds anything else.</summary>
    public static long? ParseTimestamp(string? header) =>
        header is { Length: > 0 and <= 12 } && long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;

    /// <summary>True when <paramref name="timestamp"/> is within <paramref name="tolerance"/> of <paramref name="now"/>, either side.</summary>
    public static bool IsFresh(long timestamp, DateTimeOffset now, TimeSpan tolerance) =>
        Math.Abs(now.ToUnixTimeSeconds() - timestamp) <= (long)tolerance.TotalSeconds;

    /// <summary>The signature's bytes, or null unless <paramref name="header"/> is <c>sha256=</c> and 64 hex digits.</summary>
    public static byte[]? ParseSignature(string? header)
    {
        if (header is null || !header.StartsWith(SignaturePrefix, StringComparison.OrdinalIgnoreCase)
            || header.Length != SignaturePrefix.Length + (HMACSHA256.HashSizeInBytes * 2))
        {
            return null;
        }

        var bytes = new byte[HMACSHA256.HashSizeInBytes];
        return Convert.FromHexString(header.AsSpan(SignaturePrefix.Length), bytes, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == bytes.Length
                ? bytes
                : null;
    }

    /// <summary>True when <paramref name="presented"/> is the signature of this request under <paramref name="secret"/>.</summary>
    public static bool SignatureMatches(byte[] secret, ReadOnlySpan<byte> presented, long timestamp, string method, string target, ReadOnlySpan<byte> body)
    {
        Span<byte> actual = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Compute(secret, timestamp, method, target, body, actual);
        return CryptographicOperations.FixedTimeEquals(actual, presented);
    }

    /// <summary>What a sender puts in <c>X-Webhook-Signature</c> (<paramref name="target"/> is the path and query it sends).</summary>
    public static string Sign(string secret, long timestamp, string method, string target, ReadOnlySpan<byte> body)
    {
        Span<byte> signature = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Compute(Encoding.UTF8.GetBytes(secret), timestamp, method, target, body, signature);
        return SignaturePrefix + Convert.ToHexStringLower(signature);
    }

    private static void Compute(byte[] key, long timestamp, string method, string target, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}\n{method}\n{target}\n"));
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }
}
