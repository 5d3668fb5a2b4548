using System.Globalization;
using System.Threading.RateLimiting;
using FlowActors.Silo.Api;
using Microsoft.AspNetCore.RateLimiting;

namespace FlowActors.Silo.Webhooks;

/// <summary>
/// Rate limits of the webhook listener (ASP.NET Core rate limiting): a token bucket and a bound on requests in progress
/// per client IP address, and a token bucket per flow (only for flows that have a webhook, so that made-up flow ids
/// cannot fill the limiter with partitions). A refused request gets 429 with <c>Retry-After</c> before its body is read.
/// </summary>
public static class WebhookRateLimiting
{
    public static void Configure(RateLimiterOptions limiter, WebhookRateLimits limits, WebhookDirectory directory)
    {
        limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(context => IsWebhook(context)
                ? RateLimitPartition.GetTokenBucketLimiter(Client(context), _ => Bucket(limits.PerClientPerSecond, limits.PerClientBurst))
                : RateLimitPartition.GetNoLimiter("")),
            PartitionedRateLimiter.Create<HttpContext, string>(context => IsWebhook(context)
                ? RateLimitPartition.GetConcurrencyLimiter(Client(context), _ => new ConcurrencyLimiterOptions { PermitLimit = limits.PerClientConcurrent, QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter("")),
            PartitionedRateLimiter.Create<HttpContext, string>(context => FlowOf(context) is { } flowId && directory.TryGet(flowId, out _)
                ? RateLimitPartition.GetTokenBucketLimiter(flowId, _ => Bucket(limits.PerFlowPerSecond, limits.PerFlowBurst))
                : RateLimitPartition.GetNoLimiter("")));
        limiter.OnRejected = (context, ct) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : TimeSpan.FromSeconds(1);
            return new ValueTask(ApiProblems.TooManyRequests("Too many webhook requests from this client or to this flow.", retryAfter)
                .ExecuteAsync(context.HttpContext));
        };
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static bool IsWebhook(HttpContext context) => context.Request.Path.StartsWithSegments("/hooks");

    private static string Client(HttpContext context) =>
        context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>The flow id of <c>/hooks/{flowId}/...</c>, or null.</summary>
    private static string? FlowOf(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/hooks", out var rest) || !rest.HasValue)
        {
            return null;
        }

        var segment = rest.Value!.AsSpan(1);
        var end = segment.IndexOf('/');
        return (end < 0 ? segment : segment[..end]).ToString();
    }

    /// <summary>Whole seconds, rounded up, as <c>Retry-After</c> wants them.</summary>
    public static string Seconds(TimeSpan after) => ((long)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
