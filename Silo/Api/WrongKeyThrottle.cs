using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>
/// Slows down guessing of the admin key: each client address has a bucket of <see cref="WrongKeyLimits.Burst"/> wrong
/// keys, refilled by <see cref="WrongKeyLimits.PerMinute"/> a minute. An empty bucket means 429 with <c>Retry-After</c>
/// for every key that client presents, the right one too, so that the answer tells a guesser nothing; a console session
/// the client already holds keeps working. IPv6 clients are counted per /64, the block one subscriber usually has.
/// </summary>
public sealed class WrongKeyThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _refill;

    public WrongKeyThrottle(IOptions<ApiOptions> options)
    {
        var limits = options.Value.WrongKeys;
        _refill = TimeSpan.FromMinutes(1) / limits.PerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.Burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = _refill,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>How long the request's client must wait before it may present a key again; null when it may now.</summary>
    public TimeSpan? WaitFor(HttpContext context) =>
        // Not AttemptAcquire(0): the bucket refills continuously, and any fraction of a token counts as "available" there.
        _limiter.GetStatistics(ClientOf(context)) is { CurrentAvailablePermits: < 1 } ? _refill : null;

    /// <summary>Counts a wrong key against the request's client.</summary>
    public void CountWrong(HttpContext context) => _limiter.AttemptAcquire(ClientOf(context), 1).Dispose();

    public void Dispose() => _limiter.Dispose();

    /// <summary>The client's address, an IPv6 address cut to its /64.</summary>
    private static string ClientOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
