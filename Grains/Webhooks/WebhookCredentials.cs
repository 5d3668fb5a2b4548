using System.Security.Cryptography;
using System.Text;
using FlowActors.Grains.Interfaces.Webhooks;

namespace FlowActors.Grains.Webhooks;

/// <summary>Checks what a webhook request presents against the flow's secret. Pure, and constant-time in what matters.</summary>
public static class WebhookCredentials
{
    private const string SignaturePrefix = "sha256=";

    /// <summary>A new secret: 32 random bytes, hex.</summary>
    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static WebhookCheck Check(byte[]? expected, string? secret, string? signature, ReadOnlySpan<byte> body)
    {
        if (expected is null)
        {
            return WebhookCheck.NotConfigured;
        }

        if (!string.IsNullOrEmpty(secret) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), expected))
        {
            return WebhookCheck.Allowed;
        }

        if (!string.IsNullOrEmpty(signature) && SignatureMatches(expected, signature, body))
        {
            return WebhookCheck.Allowed;
        }

        return WebhookCheck.Denied;
    }

    /// <summary>The signature a sender computes: <c>sha256=</c> and the lower-case hex HMAC-SHA256 of the body.</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        SignaturePrefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static bool SignatureMatches(byte[] key, string signature, ReadOnlySpan<byte> body)
    {
        var hex = signature.StartsWith(SignaturePrefix, StringComparison.OrdinalIgnoreCase) ? signature[SignaturePrefix.Length..] : signature;
        Span<byte> presented = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (hex.Length != HMACSHA256.HashSizeInBytes * 2
            || Convert.FromHexString(hex, presented, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != presented.Length)
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, body, actual);
        return CryptographicOperations.FixedTimeEquals(actual, presented);
    }
}
